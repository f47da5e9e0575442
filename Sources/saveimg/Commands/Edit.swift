import ArgumentParser
import SaveImage
#if canImport(Glibc)
import Glibc
#endif

extension SaveImg {
    /// `saveimg edit FILE [--running|--paused]`: the domain XML in the user's editor, written back through define's checks.
    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit the domain XML in $VISUAL or $EDITOR and write it back with define's checks.",
            discussion: """
                Like `virsh save-image-edit` (and `virsh managedsave-edit` with --managed-save). The domain \
                XML is written to a private temporary file (mode 0600, in $TMPDIR or /tmp, removed \
                afterwards) with its secrets hidden, as dumpxml prints it, and opened in $VISUAL, else \
                $EDITOR, else vi. When you save a changed XML, it goes through define: guest-ABI changes \
                are refused with libvirt's message, and the hidden secrets (a VNC or SPICE password) are \
                kept. When nothing changed, the image is left byte-identical ("not changed").

                When the new XML is refused and standard input is a terminal, you are asked as virsh \
                asks: "Failed. Try again? [y,n,f,?]" (y: edit again, n: throw the changes away, f: \
                write it anyway, as define --allow-abi-change). Without a terminal the command exits 2 and leaves \
                the image untouched.

                Examples:
                  saveimg edit vm.save
                  EDITOR=nano saveimg edit vm.save --paused
                  saveimg edit --managed-save vm

                Exit status: 0 written or not changed; 1 usage error; 2 the image is invalid, the \
                editor failed, or the new XML was refused.
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(exclusivity: .exclusive, help: "--running: resume after restore; --paused: stay paused (default: unchanged).")
        var state: SetState.GuestState?

        @Flag(help: "Show the secrets (passwords) in the file you edit; what you delete is then removed.")
        var securityInfo = false

        @Flag(name: .customLong("allow-abi-change"),
              help: "Write a domain XML that changes the guest ABI without asking (libvirt's restore will then fail).")
        var allowABIChange = false

        /// The old spelling, kept hidden for scripts written before the flag had one name per meaning.
        @Flag(name: .customLong("force"), help: .hidden)
        var legacyForce = false

        @OptionGroup var options: EditOptions

        /// `--json` comes with the editing options: one object saying what changed (never a secret's value).
        var json: Bool { options.json }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let file = try source.path(file)
            let image = try source.open(file)
            let shown = try image.domainXML(securityInfo: securityInfo)
            let stored = image.region.domainXML.bytes
            let session = try EditorSession(shown)
            defer { session.remove() }
            var force = allowABIChange || legacyForce
            while true {
                let status = try session.edit()
                guard status == 0 else {
                    throw CommandFailure(code: .editorFailed, path: file,
                                         message: "the editor '\(EditorSession.editor)' exited with status \(status); unchanged")
                }
                let edited = try session.read()
                if edited == shown && state == nil {
                    if json {
                        // The same line as every edit's (schema edit_result): nothing to write, changed false.
                        let unchanged = try ImageEditor(path: file, output: nil, dryRun: true).run { $0.content }
                        try printJSONLine(EditReport(result: unchanged, dryRun: options.dryRun).json)
                    } else {
                        print("\(file): domain XML not changed")
                    }
                    return
                }
                while true {
                    do {
                        try write(edited, unchanged: edited == shown, stored: stored, to: file, force: force)
                        return
                    } catch {
                        ErrorExit.report("\(error)", line: nil)
                        switch Self.askAgain() {
                        case .edit: break
                        case .force: force = true; continue
                        case .abort:
                            // The refusal was reported above; under --json its line says why, with the finding.
                            if json { ErrorExit.report("\(file): unchanged; the edited XML was not kept",
                                                       line: ErrorReport(file: file, error: error)) }
                            else { ErrorExit.report("\(file): unchanged; the edited XML was not kept", line: nil) }
                            throw ExitCode(ExitStatus.invalid)
                        }
                    }
                    break
                }
            }
        }

        /// Writes the edited XML (or, when only the state changes, just was_running).
        func write(_ edited: [UInt8], unchanged: Bool, stored: [UInt8], to file: String, force: Bool) throws(SaveImageError) {
            let running = state.map { $0 == .running }
            var secrets: DomainSecrets.Kept?
            let editor = ImageEditor(path: file, output: options.output, dryRun: options.dryRun)
            let result = try editor.run { (image) throws(SaveImageError) in
                guard image.region.domainXML.bytes == stored else {
                    throw SaveImageError(.busy, path: file, offset: image.region.domainXML.fileOffset, field: "domain XML",
                                         expected: "the domain XML you edited", found: "another one (the image changed while you edited it)")
                }
                var content = image.content
                if !unchanged {
                    // With --security-info the user saw (and may have removed) every secret.
                    let kept = DomainSecrets.keeping(securityInfo ? [] : image.domainSecrets, in: edited)
                    secrets = kept
                    content = try image.replacingDomainXML(kept.bytes, force: force, sourceName: "\(file) (edited domain XML)")
                }
                if let running { content.wasRunning = running ? 1 : 0 }
                return content
                }
            if json {
                // One shape for every edit command (schema edit_result), define's `secrets` included.
                var line = EditReport(result: result, dryRun: options.dryRun).json
                line.secrets = secrets.map(EditReport.JSON.Secrets.init)
                print((try? jsonLine(line)) ?? "{}")
                return
            }
            if unchanged { print("\(file): domain XML not changed") }
            print(EditReport(result: result, dryRun: options.dryRun, verbose: options.verbose).text)
            if let secrets {
                for line in SecretNotes.lines(secrets, dryRun: options.dryRun) { print(line) }
            }
        }

        enum Answer { case edit, force, abort }

        /// virsh's "Failed. Try again? [y,n,f,?]" on a terminal; abort without one.
        static func askAgain() -> Answer {
            guard isatty(0) == 1 else { return .abort }
            while true {
                print("Failed. Try again? [y,n,f,?]: ", terminator: "", to: &standardError)
                guard let line = readLine() else { return .abort }
                switch line.trimmingCharacters(in: " \t").lowercased() {
                case "y", "yes": return .edit
                case "n", "no": return .abort
                case "f", "force": return .force
                default:
                    print("y - yes, start editor again\nn - no, throw away my changes\nf - force, try to redefine again\n"
                          + "? - print this help", to: &standardError)
                }
            }
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }
}
