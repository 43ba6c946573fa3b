// A stand-in libnvidia-ml for tests: one GPU at 0000:17:00.0 (NVML spells it
// "00000000:17:00.0" but accepts the short form too), and a second, plain one
// at 0000:18:00.0 for the live metrics tests. DTF_FAKE_NVML_HOT makes the
// first one busy, hot and at its power limit (the second stays as it was).
// DTF_FAKE_NVML_MIG turns
// MIG mode on: "3" gives it three instances in slots 0, 2 and 3 of 7 (3g.71gb,
// 2g.35gb, 1g.18gb, as on an H200), "0" none; DTF_FAKE_NVML_MIG_PENDING makes
// the pending mode differ from the current one.
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {

struct fake_device {
  int mig_slot;  // -1: the GPU itself
};
static fake_device gpu0{-1};
static fake_device gpu1{-1};

static bool hot(const fake_device* device) { return device == &gpu0 && std::getenv("DTF_FAKE_NVML_HOT"); }
static fake_device mig_devices[7] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}};

struct mig_profile {
  const char* profile;
  unsigned int sms;
  unsigned long long memory_mb;
};
// Slot -> profile; slots without one are empty.
static const mig_profile* profile_in_slot(int slot) {
  static const mig_profile profiles[] = {{"3g.71gb", 60, 72192}, {"2g.35gb", 32, 35840}, {"1g.18gb", 16, 17920}};
  const char* mig = std::getenv("DTF_FAKE_NVML_MIG");
  if (!mig || std::atoi(mig) == 0) return nullptr;
  switch (slot) {
    case 0: return &profiles[0];
    case 2: return &profiles[1];
    case 3: return &profiles[2];
    default: return nullptr;
  }
}

struct device_attributes {
  unsigned int multiprocessor_count, shared_copy_engines, shared_decoders, shared_encoders, shared_jpegs, shared_ofas,
      gpu_instance_slices, compute_instance_slices;
  unsigned long long memory_size_mb;
};

struct utilization {
  unsigned int gpu, memory;
};
struct memory_info {
  unsigned long long total, free, used;
};

int nvmlInit_v2() { return 0; }
int nvmlShutdown() { return 0; }

int nvmlDeviceGetHandleByPciBusId_v2(const char* bus_id, fake_device** device) {
  if (std::strcmp(bus_id, "0000:17:00.0") == 0 || std::strcmp(bus_id, "00000000:17:00.0") == 0) *device = &gpu0;
  else if (std::strcmp(bus_id, "0000:18:00.0") == 0 || std::strcmp(bus_id, "00000000:18:00.0") == 0) *device = &gpu1;
  else return 6;  // NOT_FOUND
  return 0;
}

int nvmlDeviceGetTemperature(fake_device* device, int sensor, unsigned int* celsius) {
  if (sensor != 0) return 2;
  *celsius = hot(device) ? 95 : 45;
  return 0;
}

int nvmlDeviceGetPowerUsage(fake_device* device, unsigned int* milliwatts) {
  *milliwatts = hot(device) ? 695000 : 312500;
  return 0;
}

int nvmlDeviceGetEnforcedPowerLimit(fake_device*, unsigned int* milliwatts) {
  *milliwatts = 700000;
  return 0;
}

int nvmlDeviceGetUtilizationRates(fake_device* device, utilization* rates) {
  *rates = hot(device) ? utilization{100, 90} : utilization{87, 40};
  return 0;
}

int nvmlDeviceGetNvLinkState(fake_device*, unsigned int link, int* active) {
  if (link >= 4) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *active = link == 2 ? 1 : 0;
  return 0;
}

int nvmlDeviceGetMemoryInfo(fake_device* device, memory_info* memory) {
  if (device->mig_slot >= 0) {
    const unsigned long long total = profile_in_slot(device->mig_slot)->memory_mb << 20;
    *memory = {total, total, 0};
    return 0;
  }
  *memory = {150754820096ull, 150754820096ull - (1ull << 34), 1ull << 34};
  return 0;
}

int nvmlDeviceGetMigMode(fake_device* device, unsigned int* current, unsigned int* pending) {
  if (device->mig_slot >= 0) return 3;  // NVML_ERROR_NOT_SUPPORTED on a MIG device
  *current = std::getenv("DTF_FAKE_NVML_MIG") ? 1 : 0;
  *pending = std::getenv("DTF_FAKE_NVML_MIG_PENDING") ? !*current : *current;
  return 0;
}

int nvmlDeviceGetMaxMigDeviceCount(fake_device*, unsigned int* count) {
  *count = 7;
  return 0;
}

int nvmlDeviceGetMigDeviceHandleByIndex(fake_device* device, unsigned int index, fake_device** mig) {
  if (device->mig_slot >= 0 || index >= 7) return 2;  // INVALID_ARGUMENT
  if (!profile_in_slot(static_cast<int>(index))) return 6;  // NOT_FOUND: an empty slot
  *mig = &mig_devices[index];
  return 0;
}

int nvmlDeviceGetUUID(fake_device* device, char* uuid, unsigned int length) {
  if (device->mig_slot < 0)
    std::snprintf(uuid, length, "GPU-5c0a3f6e-0d3b-4c1e-9f0a-17000000000");
  else
    std::snprintf(uuid, length, "MIG-8d4b6e2a-1f3c-5d7e-9a0b-00000000000%d", device->mig_slot);
  return 0;
}

int nvmlDeviceGetName(fake_device* device, char* name, unsigned int length) {
  if (device->mig_slot < 0)
    std::snprintf(name, length, "NVIDIA H200");
  else
    std::snprintf(name, length, "NVIDIA H200 MIG %s", profile_in_slot(device->mig_slot)->profile);
  return 0;
}

int nvmlDeviceGetAttributes_v2(fake_device* device, device_attributes* attributes) {
  if (device->mig_slot < 0) return 3;  // NOT_SUPPORTED for a whole GPU in this fake
  const mig_profile* p = profile_in_slot(device->mig_slot);
  *attributes = {p->sms, 1, 1, 0, 0, 0, static_cast<unsigned int>(p->profile[0] - '0'),
                 static_cast<unsigned int>(p->profile[0] - '0'), p->memory_mb};
  return 0;
}

}
