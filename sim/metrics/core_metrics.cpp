#include "sim/metrics/core_metrics.hpp"

#include "allocator/collector.hpp"

namespace allocsim::sim {

std::vector<CounterGroup> core_counter_groups(const allocator::HeapStats& s) {
  CounterGroup threads{"threads", {}}, collector{"collector", {}}, os{"os", {}};
  visit(s.threads, [&](const char* name, std::uint64_t v) { threads.values.emplace_back(name, v); });
  visit(s.collector, [&](const char* name, std::uint64_t v) { collector.values.emplace_back(name, v); });
  os.values = {{"maps", s.os_maps},
               {"unmaps", s.os_unmaps},
               {"blocks", s.blocks},
               {"large_mappings", s.large_mappings},
               {"large_bytes", s.large_bytes},
               {"large_cached_bytes", s.large_cached_bytes},
               {"large_reuses", s.large_reuses},
               {"large_remaps", s.large_remaps},
               {"mapped_bytes", s.mapped_bytes},
               {"peak_mapped_bytes", s.peak_mapped_bytes},
               {"queue_bytes", s.queue_bytes}};
  return {threads, collector, os};
}

std::vector<ClassMetrics> core_class_rows(const allocator::Heap& heap) {
  std::vector<ClassMetrics> rows;
  for (std::uint32_t c = 0; c < heap.classes().count(); ++c) {
    const allocator::ClassQueueState q = heap.collector().queue_state(c);  // racy but safe while a collector runs
    ClassMetrics m;
    m.index = c;
    m.chunk_bytes = heap.classes().size(c);
    m.target = q.target;
    m.peak_target = q.peak_target;
    m.queue_length = heap.queue_length(c);
    m.grow_events = q.grow_events;
    m.reclaim_events = q.reclaim_events;
    m.empty_findings = q.empty_findings;
    m.full_findings = q.full_findings;
    rows.push_back(m);
  }
  return rows;
}

}  // namespace allocsim::sim
