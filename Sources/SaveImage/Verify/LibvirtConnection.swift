import CSaveImageShims
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One connection to the libvirt daemon this machine's default URI names
/// (`virConnectOpen(NULL)`: `LIBVIRT_DEFAULT_URI`, libvirt.conf's
/// `uri_default`, else libvirt's probe, as `virsh` without `-c` chooses it),
/// through libvirt's C library. libvirt.so.0 is loaded with dlopen on first
/// use (`CSaveImageShims/libvirt_client.c`), so saveimg neither links against
/// libvirt nor needs it. Each question is one call on the open connection: a
/// few milliseconds, where each `virsh` process costs 15-25 ms.
///
/// A read-only connection is not enough: libvirt refuses
/// `virConnectGetDomainCapabilities` on one ("read only access prevents
/// virConnectGetDomainCapabilities", measured on 9.0), so the connection is
/// read-write, as virsh's is; nothing is changed through it.
public final class LibvirtConnection: Sendable {
    /// The `virConnectPtr`; calls are serialised (libvirt allows concurrent
    /// use, but a scan's threads ask each question once anyway).
    private let handle: Mutex<UnsafeMutableRawPointer>
    /// The connection's URI (`virConnectGetURI`), e.g. `qemu:///system`.
    public let uri: String

    /// Whether libvirt's client library could be loaded (nil: yes; else dlerror's text).
    public static var loadError: String? { saveimg_libvirt_load().map { String(cString: $0) } }

    /// Connects to the default URI; nil when libvirt.so.0 is absent or no daemon answers.
    public init?() {
        guard let pointer = saveimg_libvirt_connect() else { return nil }
        uri = Self.take(saveimg_libvirt_uri(pointer)) ?? "libvirt's default URI"
        handle = Mutex(pointer)
    }

    deinit { handle.withLock { saveimg_libvirt_disconnect($0) } }

    /// The daemon's libvirt (`virConnectGetLibVersion`) and its hypervisor's version (`virConnectGetVersion`).
    public func versions() -> (libvirt: LibvirtVersion, hypervisor: LibvirtVersion)? {
        handle.withLock { pointer in
            var library: UInt = 0, hypervisor: UInt = 0
            guard saveimg_libvirt_versions(pointer, &library, &hypervisor) == 0 else { return nil }
            return (Self.version(library), Self.version(hypervisor))
        }
    }

    /// `virsh capabilities`.
    public func capabilities() -> String? {
        handle.withLock { Self.take(saveimg_libvirt_capabilities($0)) }
    }

    /// `virsh domcapabilities --virttype T --arch A --machine M`.
    public func domainCapabilities(virtType: String, arch: String, machine: String) -> String? {
        handle.withLock { Self.take(saveimg_libvirt_domain_capabilities($0, arch, machine, virtType)) }
    }

    /// libvirt's version encoding: major * 1,000,000 + minor * 1,000 + micro.
    static func version(_ encoded: UInt) -> LibvirtVersion {
        LibvirtVersion(Int(encoded / 1_000_000), Int(encoded / 1000 % 1000), Int(encoded % 1000))
    }

    /// A malloc'ed C string as a String, freed.
    private static func take(_ text: UnsafeMutablePointer<CChar>?) -> String? {
        guard let text else { return nil }
        defer { free(text) }
        return String(cString: text)
    }
}
