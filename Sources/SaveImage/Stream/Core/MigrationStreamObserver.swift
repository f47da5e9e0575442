/// Where ``MigrationStreamWalker`` is in the stream, told to an observer
/// before the walker consumes the part's first byte.
enum MigrationStreamPart: Equatable {
    /// Magic and version.
    case fileHeader
    /// The configuration section (then ``MigrationStreamObserver/configuration(_:)``).
    case configuration
    /// A section header (type byte to version, or to the id for PART/END); its name is not known yet.
    case sectionHeader
    /// The RAM section's records (then the ram... callbacks).
    case ramRecords
    /// Another device's state, `name` its idstr.
    case deviceState(name: String)
    /// A section footer (0x7e + id); `ram` tells whether it closes a RAM section.
    case footer(ram: Bool)
    /// A QEMU_VM_COMMAND record.
    case command
    /// QEMU_VM_EOF, the VM description and anything after it.
    case end
}

/// Sees a walk as it happens: the parts of the stream (with the cursor's
/// ``StreamCursor/tap`` to copy or hash their bytes) and the RAM section's
/// contents page by page. The deep check's guest-state digest and the
/// mapped-ram writer are observers; the walker's parsing is the one parser.
protocol MigrationStreamObserver: AnyObject {
    func enter(_ part: MigrationStreamPart, cursor: StreamCursor) throws(SaveImageError)
    func configuration(_ configuration: StreamConfiguration) throws(SaveImageError)
    /// The RAM section's block list (RAM_SAVE_FLAG_MEM_SIZE), in stream order.
    func ramBlocks(_ blocks: [MigrationStreamSummary.RAMBlock], total: UInt64) throws(SaveImageError)
    /// A full page (RAM_SAVE_FLAG_PAGE) of block number `block` at `address`.
    func ramPage(block: Int, address: UInt64, content: UnsafeRawBufferPointer) throws(SaveImageError)
    /// A page filled with `fill` (RAM_SAVE_FLAG_ZERO; `fill` is 0 from every QEMU since 2.x).
    func ramFilledPage(block: Int, address: UInt64, fill: UInt8) throws(SaveImageError)
    /// RAM_SAVE_FLAG_EOS: the end of a RAM section's records.
    func ramEndOfSection() throws(SaveImageError)
}
