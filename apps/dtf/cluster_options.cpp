#include "apps/dtf/cluster_options.hpp"

namespace dtf::app {

void add_middleman_options(option_table& table, middleman_settings& settings, int& threads) {
  table.duration("middleman.heartbeat-interval", "--heartbeat-interval",
                 "how often this process sends a heartbeat to its peers (CAF's key)", settings.heartbeat_interval_s,
                 0.01, 3600);
  table.duration("middleman.connection-timeout", "--connection-timeout",
                 "a peer silent this long is declared dead: a node's tasks are re-queued (CAF's key)",
                 settings.connection_timeout_s, 0.05, 86400);
  table.duration("remote.connect-timeout", "--connect-timeout",
                 "reaching the coordinator (TCP and CAF's handshake) gives up after this",
                 settings.connect_timeout_s, 0.01, 3600);
  table.duration("remote.request-timeout", "--request-timeout",
                 "every request to another process gives up after this", settings.request_timeout_s, 0.01, 3600);
  table.whole("scheduler.max-threads", "--threads", "CAF worker threads (0: one per core; CAF's key)", threads, 0,
              1024);
}

} // namespace dtf::app
