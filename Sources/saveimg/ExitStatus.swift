import SaveImage

/// The exit codes every saveimg command uses (documented in the README).
enum ExitStatus {
    static let success: Int32 = 0
    /// Bad arguments.
    static let usage: Int32 = 1
    /// An image is invalid or an operation failed.
    static let invalid: Int32 = 2
    /// `verify`: the image reads but would not restore.
    static let wouldFail: Int32 = 3
    /// `verify`, `scan`, `retarget`: no answer for an image: a check libvirt
    /// makes at restore was not made (none invalid or failing).
    static let cannotTell: Int32 = 4

    /// The exit status for the worst outcome of a run.
    static func forOutcome(_ worst: RestoreVerdict.Outcome) -> Int32 {
        switch worst {
        case .invalid, .notJudged: invalid
        case .willFail: wouldFail
        case .cannotTell: cannotTell
        case .restorable, .restorableWithWarnings: success
        }
    }
}
