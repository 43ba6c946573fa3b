#pragma once
// The project's one CAF type-ID block and its atoms. Type names are part of
// the wire handshake between nodes: append new types at the end of the block,
// never reorder or rename. Load with `cfg.add_message_types<caf::id_block::dtf>()`
// (CAF 0.17's form; see actors/system_setup.hpp).
//
// Actor handles travel as `caf::actor` (a core CAF type) and are actor_cast to
// their typed interface on receipt, so interfaces.hpp needs no type IDs.
#include "actors/messages.hpp"

#include <caf/type_id.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

CAF_BEGIN_TYPE_ID_BLOCK(dtf, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(dtf, (dtf::task))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::task>))
  CAF_ADD_TYPE_ID(dtf, (dtf::task_result))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::task_result>))
  CAF_ADD_TYPE_ID(dtf, (dtf::worker_capability))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::worker_capability>))
  CAF_ADD_TYPE_ID(dtf, (dtf::worker_metrics))
  CAF_ADD_TYPE_ID(dtf, (dtf::worker_metrics_report))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::worker_metrics_report>))
  CAF_ADD_TYPE_ID(dtf, (dtf::work_order))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::work_order>))
  CAF_ADD_TYPE_ID(dtf, (dtf::attempt_record))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::attempt_record>))
  CAF_ADD_TYPE_ID(dtf, (dtf::task_update))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::task_update>))
  CAF_ADD_TYPE_ID(dtf, (dtf::runtime_stats))
  CAF_ADD_TYPE_ID(dtf, (dtf::scheduling_round))
  CAF_ADD_TYPE_ID(dtf, (dtf::requeue_request))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::requeue_request>))
  CAF_ADD_TYPE_ID(dtf, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(dtf, (dtf::result_effect))
  CAF_ADD_TYPE_ID(dtf, (std::vector<dtf::result_effect>))

  // Atoms (CAF 0.17: at most 10 characters; they need no type ID).
  CAF_ADD_ATOM(dtf, dtf::atom, submit, "submit")
  CAF_ADD_ATOM(dtf, dtf::atom, cancel, "cancel")
  CAF_ADD_ATOM(dtf, dtf::atom, status, "status")
  CAF_ADD_ATOM(dtf, dtf::atom, stats, "stats")
  CAF_ADD_ATOM(dtf, dtf::atom, subscribe, "subscribe")
  CAF_ADD_ATOM(dtf, dtf::atom, event, "event")
  CAF_ADD_ATOM(dtf, dtf::atom, enroll, "enroll")
  CAF_ADD_ATOM(dtf, dtf::atom, result, "result")
  CAF_ADD_ATOM(dtf, dtf::atom, started, "started")
  CAF_ADD_ATOM(dtf, dtf::atom, drain, "drain")
  CAF_ADD_ATOM(dtf, dtf::atom, assign, "assign")
  CAF_ADD_ATOM(dtf, dtf::atom, requeue, "requeue")
  CAF_ADD_ATOM(dtf, dtf::atom, retry, "retry")
  CAF_ADD_ATOM(dtf, dtf::atom, remove, "remove")
  CAF_ADD_ATOM(dtf, dtf::atom, metrics, "metrics")
  CAF_ADD_ATOM(dtf, dtf::atom, schedule, "schedule")
  CAF_ADD_ATOM(dtf, dtf::atom, run, "run")
  CAF_ADD_ATOM(dtf, dtf::atom, done, "done")
  CAF_ADD_ATOM(dtf, dtf::atom, join, "join")
  CAF_ADD_ATOM(dtf, dtf::atom, sample, "sample")
  CAF_ADD_ATOM(dtf, dtf::atom, flush, "flush")
  CAF_ADD_ATOM(dtf, dtf::atom, failed, "failed")
  CAF_ADD_ATOM(dtf, dtf::atom, interrupt, "interrupt")
  CAF_ADD_ATOM(dtf, dtf::atom, abandon, "abandon")
  CAF_ADD_ATOM(dtf, dtf::atom, all, "all")
  CAF_ADD_ATOM(dtf, dtf::atom, explain, "explain")
  CAF_ADD_ATOM(dtf, dtf::atom, observe, "observe")
  CAF_ADD_ATOM(dtf, dtf::atom, member, "member")

CAF_END_TYPE_ID_BLOCK(dtf)
