import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg set-state FILE --running|--paused`: flip was_running.
    struct SetState: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-state",
            abstract: "Set whether the guest runs or stays paused after restore (the was_running word only).",
            discussion: """
                Like `virsh save-image-define --running/--paused`: one header word changes, in place.

                Examples:
                  saveimg set-state vm.save --paused
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(exclusivity: .exclusive, help: "--running: resume after restore; --paused: stay paused.")
        var state: GuestState

        enum GuestState: String, EnumerableFlag {
            case running, paused
        }

        @OptionGroup var options: EditOptions

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let file = try source.path(file)
            let running = state == .running
            try options.run(file) { $0.settingWasRunning(running) }
        }
    }
}
