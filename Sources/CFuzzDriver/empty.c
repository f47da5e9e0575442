// Intentionally empty: CFuzzDriver only declares LLVMFuzzerRunDriver (see include/CFuzzDriver.h).
