"""What a real restore's message and a verify reason say failed, in one vocabulary
(format, machine, device:NAME, firmware, cpu): shared by real-guests-compare.py
and real-guests-verify-cli.py."""
import re


def real_reason(message):
    if "Invalid compressed save format" in message: return "format"
    if "does not support machine type" in message or "unsupported machine type" in message: return "machine"
    m = re.search(r"error while loading state for instance 0x\w+ of device '([^']+)'", message)
    if m: return "device:" + m.group(1)
    if "OVMF" in message or "loader" in message or ".fd" in message: return "firmware"
    if "missing features" in message: return "cpu"
    return "other"

def verdict_reason(code, message):
    if code.startswith("format_"): return "format"
    if code.startswith("machine_"): return "machine"
    if code.startswith("device_state_"):
        m = re.search(r"device ([^,]+)[,:] ", message)
        return "device:" + (m.group(1) if m else "?")
    if code.startswith("firmware_"): return "firmware"
    if code.startswith("cpu_"): return "cpu"
    return code
