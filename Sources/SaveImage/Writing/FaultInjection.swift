/// The steps of a write, in order, at which tests inject failures.
public enum WriteStep: String, CaseIterable, Hashable, Sendable {
    // In place.
    case writeDocuments, syncDocuments, writeHeader, syncHeader, clearOldChain, syncCleanup
    // In place with a journal (the data region rewritten: define when the XML fits).
    case writeJournal, syncJournal, markIncomplete, syncMark, writeRegion, syncRegion, removeJournal
    // New file renamed over the destination.
    case createTemporary, writeMetadata, copyStream, copyAttributes, syncTemporary, rename, syncDirectory

    /// The in-place steps, in order.
    public static let inPlaceSteps: [WriteStep] = [
        .writeDocuments, .syncDocuments, .writeHeader, .syncHeader, .clearOldChain, .syncCleanup,
    ]
    /// The journaled in-place steps, in order.
    public static let journalSteps: [WriteStep] = [
        .writeJournal, .syncJournal, .markIncomplete, .syncMark, .writeRegion, .syncRegion, .writeHeader, .syncHeader,
        .removeJournal,
    ]
    /// The replacement steps, in order.
    public static let replacementSteps: [WriteStep] = [
        .createTemporary, .writeMetadata, .copyStream, .copyAttributes, .syncTemporary, .rename, .syncDirectory,
    ]
}

/// A seam for tests: decides, before each ``WriteStep``, whether it runs,
/// fails (as an I/O error would: the writer then rolls back) or the process
/// "dies" (the writer stops where it is, with no rollback, as after SIGKILL).
public struct FaultInjection: Sendable {
    public enum Action: Sendable { case proceed, fail, crash }

    public var decide: @Sendable (WriteStep) -> Action

    public init(_ decide: @escaping @Sendable (WriteStep) -> Action) { self.decide = decide }

    /// Runs every step.
    public static let none = FaultInjection { _ in .proceed }

    /// Fails (or crashes) at exactly `step`.
    public static func at(_ step: WriteStep, _ action: Action = .fail) -> FaultInjection {
        FaultInjection { $0 == step ? action : .proceed }
    }
}

/// Where ``FaultInjection`` simulated the process dying. Inside the writer it
/// is its own error, so no rollback runs (as after SIGKILL); ``ImageWriter/write(_:file:)``
/// reports it as a ``SaveImageError`` (``SaveImageError/isSimulatedCrash``).
public struct SimulatedCrash: Error, Hashable, Sendable {
    public var step: WriteStep

    /// The field a simulated crash's ``SaveImageError`` names.
    static let field = "simulated crash"

    func error(path: String) -> SaveImageError {
        SaveImageError(.io, path: path, field: Self.field, expected: "the write to run to its end",
                       found: "FaultInjection stopped it at \(step.rawValue), nothing rolled back (as after SIGKILL)")
    }
}

extension SaveImageError {
    /// Whether this is a crash ``FaultInjection`` simulated (tests only).
    public var isSimulatedCrash: Bool { code == .io && field == SimulatedCrash.field }
}
