import ArgumentParser
import FoundationEssentials
import SaveImage

extension SaveImg {
    /// `saveimg target capture`: describe this host for `verify --target`.
    struct Target: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a target host in one document for verify, scan, inspect and retarget.",
            subcommands: [Capture.self])

        struct Capture: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print this host's description (JSON): libvirt and QEMU versions, capabilities, domcapabilities.",
                discussion: """
                    Run on the target host: `saveimg target capture > host.json`, then anywhere: \
                    `saveimg verify --target host.json vm.save`. Asks virsh for `version`, \
                    `capabilities` and `domcapabilities` per virt type (qemu, kvm) and machine family \
                    (pc, q35); without a libvirt daemon, the installed QEMU binary (`--version`, \
                    `-machine help`). The document's schema: saveimg-target/1 \
                    (target_capture in saveimg's JSON Schema). It also records the target QEMU's \
                    vmstate descriptions (`-dump-vmstate`) for every pc-i440fx-*/pc-q35-* machine type, \
                    each distinct description once (`vmstate`), and the firmware files beside the \
                    domcapabilities' loader paths with their sizes (`firmware_files`): verify compares \
                    each image's device sections and flash blocks with them. --run names the command \
                    prefix that runs QEMU and find on the target (a lab's `setup-12.sh run`); the dumps \
                    go through /tmp.

                    Examples:
                      saveimg target capture > host.json
                      saveimg target capture --connect qemu:///system > host.json
                      saveimg target capture --virsh "sudo virsh" > host.json
                      saveimg target capture --virsh "setup-12.sh virsh" \\
                        --run "setup-12.sh run" > lab12.json
                    """)

            @Option(help: ArgumentHelp("libvirt connection URI for virsh (default: virsh's own default).", valueName: "URI"))
            var connect: String?

            @Option(help: ArgumentHelp("The virsh command to run, split at spaces (default: virsh), e.g. a lab's wrapper.", valueName: "COMMAND"))
            var virsh: String?

            @Option(name: .customLong("qemu-binary"), help: ArgumentHelp("QEMU binary asked when no libvirt daemon answers.", valueName: "PROGRAM"))
            var qemuBinary = "qemu-system-x86_64"

            @Option(name: .customLong("run"), help: ArgumentHelp("Command prefix that runs QEMU and find on the target, split at spaces (default: run here).", valueName: "COMMAND"))
            var runner: String?

            @Flag(name: .customLong("no-vmstate"), help: "Do not record the QEMU vmstate descriptions (verify then cannot tell device state).")
            var noVMState = false

            @OptionGroup var verbosity: QuietOption

            func run() throws {
                var prefix = (virsh ?? "virsh").split(separator: " ").map(String.init)
                if let connect { prefix += ["-c", connect] }
                let runner = (self.runner ?? "").split(separator: " ").map(String.init)
                guard let capture = TargetCapture.capture(virsh: prefix, runner: runner, vmstate: !noVMState)
                        ?? TargetCapture.captureQEMU(binary: qemuBinary, runner: runner, vmstate: !noVMState) else {
                    throw ValidationError("no libvirt answered (\(prefix.joined(separator: " ")) version) and \(qemuBinary) was not found")
                }
                print(String(decoding: try capture.json(), as: UTF8.self))
            }
        }
    }
}
