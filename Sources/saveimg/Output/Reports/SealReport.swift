import SaveImage

/// `seal --json`: the guest-state digest (the seal's content) and the edit that stored it.
struct SealReport: Encodable {
    var file: String
    var alreadySealed: Bool
    /// The seal's digest, hex, under the name `check --deep` gives the same
    /// digest: `state_sha256` (the guest-state digest) or, for older seals,
    /// `stream_sha256` (the SHA-256 of the raw stream).
    var stateSha256: String?
    var streamSha256: String?
    /// Which digest the seal holds: `guest-state-v1` or `stream-sha256`.
    var digest: String
    var rawStreamBytes: UInt64
    /// The in-place edit that appended the seal (absent when already sealed).
    var edit: EditReport.JSON?

    init(file: String, alreadySealed: Bool, seal: SaveImageSeal, rawStreamBytes: UInt64, edit: EditReport.JSON?) {
        self.file = file
        self.alreadySealed = alreadySealed
        let stream = seal.digest.rawValue == "stream-sha256"
        stateSha256 = stream ? nil : seal.sha256
        streamSha256 = stream ? seal.sha256 : nil
        digest = seal.digest.rawValue
        self.rawStreamBytes = rawStreamBytes
        self.edit = edit
    }
}
