#pragma once
// Busy slot time that tasks held back earlier in one schedule() call count
// on, per worker profile. A deferred task waits for busy workers predicted to
// finish it sooner than a free one would; a task of another requirement class
// that waits for the same workers comes after it there. Each class counted
// only its own tasks held back before (a class is a requirement set, so tasks
// whose memory needs differ by a gigabyte are different classes): with many
// classes, each waited for the same few fast slots as if alone while slower
// workers stood idle. The holds are kept in predicted seconds, not tasks: a
// short task ahead takes a slot for a short while, and a long one behind it
// still finishes there sooner (counting tasks sent the long ones, last in
// shortest-first order, to the slow workers and lengthened batch makespans).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace dtf {

class slot_holds {
public:
  /// Starts a schedule() call: nothing is held.
  void reset(std::size_t profile_count, std::size_t class_count);
  /// A count (busy_finishing_within) starts: forgets the finds of the last.
  void begin_count() { found_.clear(); }
  /// The count found `tasks` tasks like the one deciding on profile p, each
  /// predicted d_s there (the core's clock), after the holds of other classes.
  void note_found(std::uint32_t p, std::size_t tasks, double d_s) { found_.push_back({p, tasks, d_s}); }
  /// How many tasks predicted d_s on profile p the holds of classes other
  /// than c take (whole ones: the seconds they hold over d_s, rounded down).
  std::size_t taken_by_others(std::uint32_t c, std::uint32_t p, double d_s) const;
  /// Class c held back `held` more tasks behind `ahead` of its own already
  /// held in this call: they hold the slots the last count found, in its
  /// order, past the first `ahead` (its own earlier ones).
  void hold(std::uint32_t c, std::size_t ahead, std::size_t held);

private:
  struct find {
    std::uint32_t profile;
    std::size_t tasks;
    double d_s;
  };
  std::vector<double> held_s_;  // per profile, by every class
  // Per class: (profile, seconds) its own tasks hold; cleared for the classes touched.
  std::vector<std::vector<std::pair<std::uint32_t, double>>> own_s_;
  std::vector<std::uint32_t> touched_;
  std::vector<find> found_;
};

} // namespace dtf
