import ArgumentParser

/// The `saveimg` command: configuration only; each subcommand lives in
/// `Commands/`.
@main
struct SaveImg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saveimg",
        abstract: "Inspect, verify and edit libvirt QEMU save images.",
        discussion: """
            Exit codes: 0 success; 1 usage error (diff-cpu: the CPUs differ); 2 an \
            image is invalid (libvirt would refuse to read it) or an operation \
            failed; 3 (verify, scan, retarget) an image reads but would fail to \
            restore; 4 (verify, scan, retarget) cannot tell: a check libvirt makes \
            was not made.

            Every command takes -q/--quiet (no informational lines on standard \
            error); editing commands take --verbose (how the file was written).

            Examples:
              saveimg inspect /var/lib/libvirt/qemu/save/vm.save
              saveimg scan /var/lib/libvirt/qemu/save
              saveimg help scan
            """,
        version: "0.1.0",
        subcommands: [Inspect.self, DumpXML.self, AddCPUExt.self, Ext.self, Define.self, Edit.self, SetState.self, Convert.self, Check.self, Seal.self, Recover.self, Verify.self, Retarget.self, Scan.self, DiffCPU.self, ExportMemory.self, Target.self])

    // main(), the exit codes and the one error exit: SaveImg+Main.swift.
}
