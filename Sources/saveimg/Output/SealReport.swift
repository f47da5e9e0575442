/// `seal --json`: the stream's digest (the seal's content) and the edit that stored it.
struct SealReport: Encodable {
    var file: String
    var alreadySealed: Bool
    /// SHA-256 of the raw (decompressed) stream, hex.
    var sha256: String
    var rawStreamBytes: UInt64
    /// The in-place edit that appended the seal (absent when already sealed).
    var edit: EditReport.JSON?
}
