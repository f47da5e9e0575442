/// One edit of one save image, start to finish: open and lock the file,
/// read its metadata (refusing what libvirt refuses, such as a save still in
/// progress), compute the new content, plan the layout and write it.
///
/// ```swift
/// let cpu = try CPUXML.parse(cpuBytes, path: "cpu.xml")
/// let done = try ImageEditor(path: "vm.save").run { (image) throws(SaveImageError) in try image.settingCookieCPU(cpu) }
/// print(done.plan.strategy)   // in-place
/// ```
public struct ImageEditor {
    /// The image to edit.
    public var path: String
    /// Where the result goes: nil for the image itself.
    public var output: String?
    /// Plan only; write nothing.
    public var dryRun: Bool
    /// The writer (tests inject faults through it).
    public var writer: ImageWriter

    public init(path: String, output: String? = nil, dryRun: Bool = false, writer: ImageWriter = ImageWriter()) {
        self.path = path
        self.output = output
        self.dryRun = dryRun
        self.writer = writer
    }

    /// What an edit did (or, with `dryRun`, would do).
    public struct Result: Sendable {
        public var plan: WritePlan
        public var outcome: ImageWriter.Outcome?
    }

    /// Runs `edit` on the image and writes its result. Every failure, the
    /// edit's included, is a ``SaveImageError`` (typed throws).
    public func run(_ edit: (SaveImage) throws(SaveImageError) -> ImageContent) throws(SaveImageError) -> Result {
        if let output, output != path, Self.exists(output) {
            throw SaveImageError(.editRejected, path: output, field: "--output", expected: "a path that does not exist",
                                 found: FileStatus(ofLink: output)?.outputInTheWay(refusal: "saveimg does not overwrite it; remove it first")
                                     ?? "an existing file (saveimg does not overwrite it; remove it first)")
        }
        let file = try PositionalFile(openingForEditing: path, writable: output == nil && !dryRun)
        // The image and the plan keep the file as their stream's reader; the lock ends with the edit.
        defer { file.unlock() }
        // An in-place rewrite interrupted earlier: roll it back first (or remove its stale journal).
        _ = try EditJournal.recover(file)
        let image = try Self.readImage(file)
        let content = try edit(image)
        let plan = try WritePlan(editing: image, to: content, destination: output ?? path)
        if dryRun { return Result(plan: plan, outcome: nil) }
        let outcome = try writer.write(plan, file: file)
        return Result(plan: plan, outcome: outcome)
    }

    /// Reads the image's metadata through the locked descriptor, with the
    /// reader's checks (libvirt's order).
    static func readImage(_ file: PositionalFile) throws(SaveImageError) -> SaveImage {
        try SaveImage(reading: file)
    }

    static func exists(_ path: String) -> Bool { PositionalFile.exists(path) }
}
