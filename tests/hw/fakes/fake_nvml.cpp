// A stand-in libnvidia-ml for tests: one GPU at 0000:17:00.0 (NVML spells it
// "00000000:17:00.0" but accepts the short form too).
#include <cstring>

extern "C" {

struct fake_device {
  int unused;
};
static fake_device gpu0;

struct utilization {
  unsigned int gpu, memory;
};
struct memory_info {
  unsigned long long total, free, used;
};

int nvmlInit_v2() { return 0; }
int nvmlShutdown() { return 0; }

int nvmlDeviceGetHandleByPciBusId_v2(const char* bus_id, fake_device** device) {
  if (std::strcmp(bus_id, "0000:17:00.0") != 0 && std::strcmp(bus_id, "00000000:17:00.0") != 0) return 6;  // NOT_FOUND
  *device = &gpu0;
  return 0;
}

int nvmlDeviceGetTemperature(fake_device*, int sensor, unsigned int* celsius) {
  if (sensor != 0) return 2;
  *celsius = 45;
  return 0;
}

int nvmlDeviceGetPowerUsage(fake_device*, unsigned int* milliwatts) {
  *milliwatts = 312500;
  return 0;
}

int nvmlDeviceGetEnforcedPowerLimit(fake_device*, unsigned int* milliwatts) {
  *milliwatts = 700000;
  return 0;
}

int nvmlDeviceGetUtilizationRates(fake_device*, utilization* rates) {
  *rates = {87, 40};
  return 0;
}

int nvmlDeviceGetNvLinkState(fake_device*, unsigned int link, int* active) {
  if (link >= 4) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *active = link == 2 ? 1 : 0;
  return 0;
}

int nvmlDeviceGetMemoryInfo(fake_device*, memory_info* memory) {
  *memory = {150754820096ull, 150754820096ull - (1ull << 34), 1ull << 34};
  return 0;
}

}
