// Intentionally empty: LLVMFuzzerRunDriver is only declared here (see include/CFuzzDriver.h).
