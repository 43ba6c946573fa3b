// A library that loads but is no GPU driver: the probes must say so once.
extern "C" int dtf_fake_unrelated_symbol() { return 0; }
