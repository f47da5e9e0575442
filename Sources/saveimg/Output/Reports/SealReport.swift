/// `seal --json`: the stream's digest (the seal's content) and the edit that stored it.
struct SealReport: Encodable {
    var file: String
    var alreadySealed: Bool
    /// The seal's digest, hex: the guest-state digest, or (older seals, streams
    /// without one) the SHA-256 of the raw stream.
    var sha256: String
    /// Which digest `sha256` is: `guest-state-v1` or `stream-sha256`.
    var digest: String
    var rawStreamBytes: UInt64
    /// The in-place edit that appended the seal (absent when already sealed).
    var edit: EditReport.JSON?
}
