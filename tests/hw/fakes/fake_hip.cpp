// A stand-in libamdhip64 for tests: one MI300X at 0000:c1:00.0 (HIP spells
// bus ids in upper case). DTF_FAKE_HIP_INIT_RESULT makes hipInit return that;
// DTF_FAKE_HIP_DEVICES=n splits the MI300X into n compute partitions (n
// devices on that bus, each with 1/n of the memory).
#include <cstddef>
#include <cstdio>
#include <cstdlib>

extern "C" {

int hipInit(unsigned int) {
  const char* forced = std::getenv("DTF_FAKE_HIP_INIT_RESULT");
  return forced ? std::atoi(forced) : 0;
}

static int partitions() {
  const char* forced = std::getenv("DTF_FAKE_HIP_DEVICES");
  return forced ? std::atoi(forced) : 1;
}

int hipGetDeviceCount(int* count) {
  *count = partitions();
  return 0;
}

int hipDeviceGetName(char* name, int length, int) {
  std::snprintf(name, static_cast<std::size_t>(length), "AMD Instinct MI300X");
  return 0;
}

int hipDeviceTotalMem(std::size_t* bytes, int) {
  *bytes = 206141652992ull / static_cast<std::size_t>(partitions());
  return 0;
}

int hipDeviceGetPCIBusId(char* bus_id, int length, int) {
  std::snprintf(bus_id, static_cast<std::size_t>(length), "0000:C1:00.0");
  return 0;
}

const char* hipGetErrorString(int) { return "fake error"; }

}
