/// The deep check's digest of the guest STATE a stream carries, the same for
/// one saved state in every format (raw, gzip, ..., zstd, sparse) and through
/// every `saveimg convert`:
///
/// ```
/// SHA-256( "saveimg-guest-state-v1" 0x00
///          machine type 0x00
///          SHA-256(RAM)  SHA-256(devices) )
/// RAM     = per block, in block-list order: u8 len, idstr, u64be used_length;
///           then per non-zero page, in (block, address) order:
///           u32be block index, u64be page address, the 4096 bytes
/// devices = every section other than "ram", in stream order, from its type
///           byte to its footer (0x7e u32be id), byte for byte
/// ```
///
/// A zero page counts as absent however it is stored: a ZERO record, a
/// PAGE record of zeros, or a hole in a mapped-ram file. Not hashed: the
/// capabilities and other configuration subsections, commands, the RAM
/// sections' framing, the VM description (they describe the transport, not
/// the guest). The digest needs pages in address order, as libvirt's saves
/// (paused guest, one pass) send them; a stream that sends a page twice or
/// out of order gets no state digest (``isAvailable``).
final class GuestStateDigest: MigrationStreamObserver {
    private let ram: SHA256Hasher
    private let devices: SHA256Hasher
    private var machineType = ""
    private var header: [UInt8] = []
    private enum Target { case none, header, devices }
    private var target = Target.none
    private var lastPage: (block: Int, address: UInt64)?
    /// False once a page came twice or out of order.
    private(set) var isAvailable = true

    static let label = "saveimg-guest-state-v1"

    init() throws(SaveImageError) {
        ram = try SHA256Hasher()
        devices = try SHA256Hasher()
    }

    func tap(_ bytes: UnsafeRawBufferPointer) throws(SaveImageError) {
        switch target {
        case .none: break
        case .header: header.append(contentsOf: bytes)
        case .devices: devices.update(bytes)
        }
    }

    func enter(_ part: MigrationStreamPart, cursor: StreamCursor) throws(SaveImageError) {
        switch part {
        case .sectionHeader:
            header.removeAll(keepingCapacity: true)
            target = .header
        case .deviceState:
            devices.update(header)
            header.removeAll(keepingCapacity: true)
            target = .devices
        case .footer(let isRAM): target = isRAM ? .none : .devices
        default: target = .none
        }
    }

    func configuration(_ configuration: StreamConfiguration) throws(SaveImageError) {
        machineType = configuration.machineType
    }

    func ramBlocks(_ blocks: [MigrationStreamSummary.RAMBlock], total: UInt64) throws(SaveImageError) {
        for block in blocks {
            let name = Array(block.name.utf8.prefix(255))
            ram.update([UInt8(name.count)] + name + Endianness.big.bytes(of: block.size))  // bounded: byte arrays built in memory (concatenation)
        }
    }

    func ramPage(block: Int, address: UInt64, content: UnsafeRawBufferPointer) throws(SaveImageError) {
        order(block, address)
        guard !content.allSatisfy({ $0 == 0 }) else { return }
        ram.update(Endianness.big.bytes(of: UInt32(truncatingIfNeeded: block)) + Endianness.big.bytes(of: address))  // bounded: byte arrays built in memory (concatenation)
        ram.update(content)
    }

    func ramFilledPage(block: Int, address: UInt64, fill: UInt8) throws(SaveImageError) {
        order(block, address)
        guard fill != 0 else { return }
        ram.update(Endianness.big.bytes(of: UInt32(truncatingIfNeeded: block)) + Endianness.big.bytes(of: address))  // bounded: byte arrays built in memory (concatenation)
        ram.update([UInt8](repeating: fill, count: 4096))
    }

    func ramEndOfSection() throws(SaveImageError) {}

    private func order(_ block: Int, _ address: UInt64) {
        if let last = lastPage, !(block > last.block || (block == last.block && address > last.address)) {
            isAvailable = false
        }
        lastPage = (block, address)
    }

    /// The digest, lowercase hex (nil when pages came out of order).
    func finalize() throws(SaveImageError) -> String? {
        let ramDigest = try ram.finalize()
        let deviceDigest = try devices.finalize()
        guard isAvailable else { return nil }
        let outer = try SHA256Hasher()
        outer.update(Array(Self.label.utf8) + [0] + Array(machineType.utf8) + [0] + ramDigest + deviceDigest)  // bounded: byte arrays built in memory (concatenation)
        return try outer.finalizeHex()
    }
}
