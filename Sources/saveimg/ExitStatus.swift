/// The exit codes every saveimg command uses (documented in the README).
enum ExitStatus {
    static let success: Int32 = 0
    /// Bad arguments.
    static let usage: Int32 = 1
    /// An image is invalid or an operation failed.
    static let invalid: Int32 = 2
    /// `verify`: the image reads but would not restore.
    static let wouldFail: Int32 = 3
}
