// Shared pieces of the saveimg-fuzz harnesses: reading an input as a
// sequence of choices, the extreme values, and the invariant check.
#if SAVEIMG_FUZZ
import Glibc
import SaveImage

/// Reads a fuzz input as a sequence of small choices; past the end every
/// choice is 0, so any input is a complete program.
struct FuzzInput {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { index >= bytes.endIndex }

    mutating func byte() -> UInt8 {
        guard index < bytes.endIndex else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// A choice in `0..<count` (0 when `count` is 0).
    mutating func choice(_ count: Int) -> Int {
        guard count > 0 else { return 0 }
        return Int(byte()) % count
    }

    mutating func pick<T>(_ values: [T]) -> T? { values.isEmpty ? nil : values[choice(values.count)] }
}

/// Splits `bytes` as `u16be(L) L bytes of program | rest`.
func splitProgram(_ bytes: [UInt8]) -> (program: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
    guard bytes.count >= 2 else { return ([], bytes[...]) }
    let length = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
    return (bytes[2..<(2 + length)], bytes[(2 + length)...])
}

/// Values a hostile or buggy writer can put where a number belongs.
let extremeValues: [String] = [
    "0", "-1", "1", "-0", "+5", " 7 ", "", "  ", "4294967295", "4294967296", "2147483647", "2147483648",
    "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "99999999999999999999999999", "1e400", "1E3", "0x10", "0X7fffffff", "010", "1.5", "NaN", "inf", "-inf",
    "٣", "１２", "1 2", "12abc", "\u{0085}1", "&amp;", "<", "9007199254740992", "8796093022208",
    String(repeating: "9", count: 4096), String(repeating: "1", count: 100_000),
    "qemu64", "Westmere", "host-model", "custom", "require", "disable", "yes", "on",
]

/// libvirt's units for scaled integers, and some it refuses.
let unitValues = ["b", "bytes", "KiB", "k", "KB", "MiB", "M", "GiB", "G", "TiB", "T", "PiB", "P", "EiB", "E", "EB",
                  "ZiB", "YiB", "kib", "KIB", "", "B ", "mb", "x"]

/// Element and attribute names from libvirt's domain XML and save cookie.
let libvirtNames = [
    "domain", "name", "uuid", "memory", "currentMemory", "maxMemory", "vcpu", "vcpus", "iothreads", "cpu", "model",
    "feature", "vendor", "topology", "numa", "cell", "os", "type", "arch", "machine", "cookie", "slirpHelper",
    "devices", "disk", "interface", "graphics", "description", "title", "metadata", "clock", "on_poweroff",
    "features", "acpi", "apic", "pae", "emulator", "controller", "serial", "console", "input", "memballoon",
    "unit", "policy", "mode", "match", "check", "fallback", "sockets", "cores", "threads", "dies", "clusters",
    "current", "placement", "cpuset", "slots", "id", "memAccess", "migratable", "index", "port", "value",
]

/// Small documents to chain as extensions.
let extensionDocuments: [[UInt8]] = [
    Array("<fuzz xmlns='urn:fuzz'/>".utf8),
    Array("<note xmlns='urn:example:saveimg'>fuzz</note>".utf8),
    Array("<saveimg-seal sha256='00' bytes='18446744073709551616'/>".utf8),
    Array("<saveimg-seal sha256='00' bytes='-1'/>".utf8),
    Array(("<big xmlns='urn:fuzz'>" + String(repeating: "x", count: 70_000) + "</big>").utf8),
    Array("<cookie/>".utf8),
    Array("not xml".utf8),
]

/// SAVEIMG_FUZZ_VERBOSE=1: say what each input did (for reproducing a finding).
let verbose = getenv("SAVEIMG_FUZZ_VERBOSE") != nil

func note(_ text: @autoclosure () -> String) {
    if verbose { print("saveimg-fuzz: " + text()) }
}

func invariant(_ condition: Bool, _ what: StaticString) {
    if !condition {
        print("saveimg-fuzz: invariant broken: \(what)")
        abort()
    }
}
#endif
