#pragma once
// Installed as <dtf/runtime.hpp>: dtf's embedding API (no CAF header).
// See actors/runtime.hpp for the interface and examples/embedding for a program.
#include "actors/runtime.hpp"
