#include "apps/dtf/commands.hpp"

namespace dtf::app {

int history_command(int argc, char** argv);
int plan_command(int argc, char** argv);
int probe_command(int argc, char** argv);
int report_command(int argc, char** argv);
int simulate_command(int argc, char** argv);
int trace_command(int argc, char** argv);
int bench_command(int argc, char** argv);
int run_command(int argc, char** argv);
int demo_command(int argc, char** argv);
int coordinator_command(int argc, char** argv);
int node_command(int argc, char** argv);
int submit_command(int argc, char** argv);
int status_command(int argc, char** argv);
int cancel_command(int argc, char** argv);
int stats_command(int argc, char** argv);

const std::vector<command>& commands() {
  static const std::vector<command> table = {
    {"history", "dtf history [--journal FILE] [--json]",
     "what the journal has learned: runs, tasks by status, mean durations per model and device, prediction accuracy",
     history_command},
    {"plan", "dtf plan SUITE --fleet FLEET | --topology FILE.xml [--json] [--explain TASK_ID] [--max-tasks-per-worker N] [--policy NAME]",
     "schedule a suite onto a fleet of emulated workers (or an hwloc XML machine's) in predicted time and show where and why", plan_command},
    {"probe", "dtf probe [--topology FILE.xml] [--by package|numa] [--metrics] [--json]",
     "list the workers this machine (or an hwloc XML topology) offers", probe_command},
    {"report", "dtf report RESULTS.jsonl --html OUT.html [--title TEXT]",
     "an HTML report (summary, tables, timeline of which task ran where) from a results file", report_command},
    {"simulate", "dtf simulate --trace TRACE.jsonl --fleet FLEET.yaml [--policy P|all] [--json] [--timeline FILE.csv]",
     "replay a trace on a fleet with a policy: makespan, completion times, lower bound", simulate_command},
    {"trace", "dtf trace generate [--family NAME] [--tasks N] [--arrivals batch|online] [--seed S] [--out TRACE.jsonl] [--fleet-out FLEET.yaml]",
     "write a synthetic trace and a matching fleet (or a scenario family's, as the bench runs it)", trace_command},
    {"bench", "dtf bench scheduling [--out DIR] | dtf bench scale [--tasks N] [--workers N]",
     "every policy against the lower bound on three scenarios; scale and cost per decision", bench_command},
    {"run", "dtf run SUITE [--fleet FLEET] [--no-local] [--max-tasks-per-worker N] [--results FILE.jsonl] [--junit FILE.xml] [--time-scale X]",
     "run every task of a suite on this machine's workers and an emulated fleet", run_command},
    {"demo", "dtf demo [--num-workers 4] [--run-time 120] [--seed S]",
     "the original design's demonstration on four emulated worker profiles", demo_command},
    {"coordinator", "dtf coordinator [--config FILE] [--host 127.0.0.1] [--port 4780] [--dump-config]",
     "run a cluster's coordinator, scheduler and predictor; nodes and clients connect to it", coordinator_command},
    {"node", "dtf node --coordinator HOST:PORT [--name NAME] [--fleet FLEET] [--no-local] [--config FILE]",
     "offer this machine's workers (and an emulated fleet) to a coordinator; rejoins when it comes back",
     node_command},
    {"submit", "dtf submit SUITE --coordinator HOST:PORT [--wait] [--results FILE.jsonl] [--junit FILE.xml]",
     "submit a suite to a coordinator; with --wait, the outputs and exit codes of dtf run", submit_command},
    {"status", "dtf status [TASK...] --coordinator HOST:PORT [--json]",
     "a running coordinator's task counts, or where given tasks stand", status_command},
    {"cancel", "dtf cancel TASK...|--all --coordinator HOST:PORT", "cancel tasks on a running coordinator",
     cancel_command},
    {"stats", "dtf stats --coordinator HOST:PORT", "a running coordinator's full statistics as JSON", stats_command},
  };
  return table;
}

} // namespace dtf::app
