// A stand-in libcuda for tests: two H200s at the PCI bus ids of
// tests/fixtures/hwloc/nvidia-2pkg-4xa100.xml's first GPUs per package.
// DTF_FAKE_CUDA_INIT_RESULT makes cuInit return that CUresult.
#include <cstddef>
#include <cstdio>
#include <cstdlib>

extern "C" {

int cuInit(unsigned int) {
  const char* forced = std::getenv("DTF_FAKE_CUDA_INIT_RESULT");
  return forced ? std::atoi(forced) : 0;
}

int cuDeviceGetCount(int* count) {
  *count = 2;
  return 0;
}

int cuDeviceGet(int* device, int ordinal) {
  if (ordinal < 0 || ordinal > 1) return 101;  // CUDA_ERROR_INVALID_DEVICE
  *device = ordinal;
  return 0;
}

int cuDeviceGetName(char* name, int length, int) {
  std::snprintf(name, static_cast<std::size_t>(length), "NVIDIA H200");
  return 0;
}

int cuDeviceTotalMem_v2(std::size_t* bytes, int) {
  *bytes = 150754820096ull;
  return 0;
}

int cuDeviceGetAttribute(int* value, int attribute, int device) {
  switch (attribute) {
    case 16: *value = 132; return 0;                      // multiprocessors
    case 75: *value = 9; return 0;                        // compute capability major
    case 76: *value = 0; return 0;                        // minor
    case 50: *value = 0; return 0;                        // PCI domain
    case 33: *value = device == 0 ? 0x17 : 0xb1; return 0;  // PCI bus
    case 34: *value = 0; return 0;                        // PCI device
    default: return 1;                                    // CUDA_ERROR_INVALID_VALUE
  }
}

int cuGetErrorString(int result, const char** text) {
  *text = result == 999 ? "unknown error" : "fake error";
  return 0;
}

}
