#if canImport(Glibc)
import Glibc
#endif

/// The number of online CPUs.
enum ProcessorCount {
    static var online: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
