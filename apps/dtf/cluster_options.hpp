#pragma once
// Options every cluster process shares (coordinator, node, submit, status,
// cancel, stats): CAF's middleman heartbeat and connection timeout, dtf's
// connect and request timeouts, CAF's worker threads.
#include "actors/cluster/middleman_settings.hpp"
#include "apps/dtf/option_table.hpp"

#include <string>

namespace dtf::app {

/// `insecure`: the remote.insecure key / --insecure flag (see require_loopback).
void add_middleman_options(option_table& table, middleman_settings& settings, int& threads, bool& insecure);

/// True for 127.0.0.0/8, ::1 and localhost.
bool is_loopback(const std::string& host);

/// Plaintext only on loopback: throws input_error (naming `flag`) for any
/// other host unless TLS is configured or `insecure`, saying what plaintext
/// means; for TLS files given only in part; and, with `check_files`, for TLS
/// files that cannot be used (check_tls_files; not for --dump-config, which
/// only prints them). `action` is "listen on" or "connect to".
void require_loopback(const std::string& host, bool insecure, const std::string& flag, const std::string& action,
                      const tls_files& tls, bool check_files = true);

} // namespace dtf::app
