#include "sim/common/process_rss.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "sim/common/host_info.hpp"

namespace allocsim::sim {
namespace {

// Sets VmHWM to the current RSS (Linux 4.0 and later); false when refused.
bool reset_peak_rss() {
  const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return ok;
}

}  // namespace

void ProcessRss::start() {
  resettable_ = reset_peak_rss();
  baseline_ = current_rss_bytes();
  peak_ = baseline_;
  last_ = {baseline_, baseline_};
  last_hwm_ = resettable_ ? 0 : peak_rss_bytes();
}

ProcessRss::Reading ProcessRss::take() {
  Reading r;
  const std::uint64_t hwm = peak_rss_bytes();
  r.now = current_rss_bytes();
  r.max = r.now;
  if (resettable_) {
    r.max = std::max(r.max, hwm);
    reset_peak_rss();
  } else if (hwm > last_hwm_) {
    r.max = std::max(r.max, hwm);
    last_hwm_ = hwm;
  }
  peak_ = std::max(peak_, r.max);
  return last_ = r;
}

}  // namespace allocsim::sim
