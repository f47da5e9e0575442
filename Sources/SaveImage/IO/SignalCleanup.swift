import CSaveImageShims

/// Removes one temporary file when SIGINT, SIGTERM or SIGHUP ends the
/// process before the file is removed normally (signals the caller ignores
/// stay ignored). One file per process: arming again replaces the path.
/// ``ReplacementFile`` uses it for `convert`; `saveimg edit` for the file it
/// opens in the editor.
public enum SignalCleanup {
    /// Registers `path`; false when the path is too long to register.
    @discardableResult
    public static func arm(_ path: String) -> Bool { saveimg_cleanup_arm(path) == 0 }

    /// Stops removing the registered path on a signal.
    public static func disarm() { saveimg_cleanup_disarm() }
}
