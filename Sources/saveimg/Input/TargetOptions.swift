import ArgumentParser
import FoundationEssentials
import SaveImage

/// The target options `verify`, `scan`, `inspect` and `retarget` share.
struct TargetOptions: ParsableArguments {
    /// What shell completion offers for --target-libvirt: the releases measured
    /// in the labs, and `local` (this machine, as with no target option).
    static let knownLibvirtVersions = ["7.0", "9.0", "11.3", "12.8", "local"]

    @Option(name: .customLong("target-libvirt"),
            help: ArgumentHelp("Target libvirt version: 7.0, 9.0, 11.3, 12.8 are measured, others take the nearest; "
                               + "`local`: this machine (the default: its running libvirt, else its QEMU binary).",
                               valueName: "VERSION"),
            completion: .list(Self.knownLibvirtVersions))
    var targetLibvirt: String?

    @Option(help: ArgumentHelp("The target described in one document (`saveimg target capture > host.json` on it).",
                               valueName: "FILE"),
            completion: .file())
    var target: String?

    @Option(help: ArgumentHelp("Target QEMU version (default: a capture's, else the running libvirt's, else the lab QEMU of the libvirt release).",
                               valueName: "VERSION"))
    var qemu: String?

    @Option(help: ArgumentHelp("`virsh capabilities` XML of the target (machine types, physical CPU).", valueName: "FILE"),
            completion: .file())
    var capabilities: String?

    @Option(help: ArgumentHelp("`virsh domcapabilities` XML of the target (the CPU guests are compared with).", valueName: "FILE"),
            completion: .file())
    var domcapabilities: String?

    @Option(name: .customLong("model-additions"),
            help: ArgumentHelp("Measured QEMU additions per CPU model on the target host.", valueName: "FILE"),
            completion: .file())
    var modelAdditions: String?

    @Option(help: ArgumentHelp("A target capture whose QEMU vmstate descriptions and firmware files are used with --target-libvirt, --capabilities, --domcapabilities.", valueName: "FILE"),
            completion: .file())
    var vmstate: String?

    @Flag(name: .customLong("no-host"), help: "Do not compare the CPU with any host (not even this machine's).")
    var noHost = false

    func validate() throws {
        if let version = libvirtVersion { _ = try Self.profile(targetLibvirt: version) }
        if let qemu, QEMUVersion(qemu) == nil { throw ValidationError("--qemu: expected a version such as 11.1, found '\(qemu)'") }
        if target != nil, let given = [("--capabilities", capabilities), ("--domcapabilities", domcapabilities), ("--vmstate", vmstate)]
            .first(where: { $0.1 != nil }) {
            throw ValidationError("--target already describes the host; it cannot be used with \(given.0)")
        }
        if noHost, let given = [("--domcapabilities", domcapabilities), ("--capabilities", capabilities),
                                 ("--model-additions", modelAdditions)].first(where: { $0.1 != nil }) {
            throw ValidationError("--no-host skips the host comparison; it cannot be used with \(given.0)")
        }
    }

    /// Which host option gave the target CPU (`verify --json`'s `target.host.kind`).
    var hostKind: VerifyReport.Target.Host.Kind? {
        if noHost { return nil }
        if target != nil { return .capture }
        if namesNoTarget && LocalTarget.mode != .off { return .local }
        if domcapabilities != nil { return .domcapabilities }
        if capabilities != nil { return .capabilities }
        return .cpuinfo
    }

    /// The target profile and a sentence saying where it came from.
    func profile() throws -> (ReaderProfile, String) { try Self.profile(targetLibvirt: libvirtVersion) }

    /// `--target-libvirt` when it names a version (`local` is this machine, as no option).
    var libvirtVersion: String? { targetLibvirt == "local" ? nil : targetLibvirt }

    /// The profile for `--target-libvirt` (nil: the libvirt installed here, else 9.0.0).
    static func profile(targetLibvirt: String?) throws -> (ReaderProfile, String) {
        if let targetLibvirt {
            guard let version = LibvirtVersion(targetLibvirt) else {
                throw ValidationError("--target-libvirt: expected a version such as 9.0 or 11.3, or `local` (this machine), "
                                      + "found '\(targetLibvirt)'")
            }
            return (ReaderProfile(version: version), "--target-libvirt \(targetLibvirt)")
        }
        if let (version, how) = LocalTarget.installedLibvirt() { return (ReaderProfile(version: version), how) }
        return (.libvirt90, "no libvirt found on this machine: default 9.0.0")
    }

    /// The target host from the descriptions given (both merged), else this
    /// machine's /proc/cpuinfo (binding KVM guests only); nil with --no-host.
    func host() throws -> TargetHost? {
        if noHost { return nil }
        var host: TargetHost?
        do {
            if let domcapabilities {
                host = try TargetHost(domainCapabilities: try VerifyInputs.bytes(domcapabilities), source: domcapabilities)
            }
            if let capabilities {
                let caps = try TargetHost(capabilities: try VerifyInputs.bytes(capabilities), source: capabilities)
                host = host.map { $0.merging(caps) } ?? caps
            }
        } catch let error as SaveImageError {
            throw ValidationError("\(error)")
        }
        if host == nil {
            guard let machine = LocalTarget.cpuinfoHost() else { return nil }
            host = machine
        }
        if let modelAdditions, host != nil {
            host = host?.withModelAdditions(try Self.modelAdditions(modelAdditions))
        }
        return host
    }

    /// The `--model-additions` table at `path`, parsed.
    static func modelAdditions(_ path: String) throws -> [String: Set<String>] {
        TargetHost.parseModelAdditions(String(decoding: try VerifyInputs.bytes(path), as: UTF8.self))
    }

    /// The capture `--target` names, parsed.
    func capturedTarget() throws -> CapturedTarget? {
        guard let target else { return nil }
        do {
            return try CapturedTarget(TargetCapture(json: try VerifyInputs.bytes(target), source: target))
        } catch let error as SaveImageError {
            throw ValidationError("--target: \(error)")
        }
    }

    /// Whether no option names a target: then the target is this machine as it is.
    var namesNoTarget: Bool {
        target == nil && libvirtVersion == nil && capabilities == nil && domcapabilities == nil && vmstate == nil && !noHost
    }

    /// The verifier for this machine as it is (``LocalTarget/lookUp(mode:)``), nil when nothing answers.
    static func localVerifier(replacement: DomainSummary?, deep: Bool, qemu: String?) throws -> (RestoreVerifier, String)? {
        guard let (target, how) = LocalTarget.lookUp() else { return nil }
        var profile: ReaderProfile
        if let captured = target.profile { profile = captured } else {
            let (installed, _) = try Self.profile(targetLibvirt: nil)
            profile = installed
            profile.qemu = target.capture.qemu
        }
        if let qemu { profile.qemu = QEMUVersion(qemu) }
        var verifier = RestoreVerifier(profile: profile, host: nil, replacementDomain: replacement, deep: deep)
        verifier.target = target
        return (verifier, how)
    }

    /// A verifier for these options.
    func verifier(replacement: DomainSummary? = nil, deep: Bool = false) throws -> (RestoreVerifier, String) {
        if namesNoTarget, let (local, how) = try Self.localVerifier(replacement: replacement, deep: deep, qemu: qemu) {
            var verifier = local
            if let modelAdditions {
                verifier.target?.setModelAdditions(try Self.modelAdditions(modelAdditions))
            }
            return (verifier, how)
        }
        if let captured = try capturedTarget() {
            var (profile, how) = try libvirtVersion != nil || captured.profile == nil
                ? profile() : (captured.profile ?? .libvirt90, "--target \(target ?? "")")
            if let qemu { profile.qemu = QEMUVersion(qemu) } else if profile.qemu == nil { profile.qemu = captured.capture.qemu }
            var verifier = RestoreVerifier(profile: profile, host: nil, replacementDomain: replacement, deep: deep)
            verifier.target = captured
            if let modelAdditions {
                verifier.target?.setModelAdditions(try Self.modelAdditions(modelAdditions))
            }
            return (verifier, how)
        }
        var (profile, how) = try profile()
        if let qemu { profile.qemu = QEMUVersion(qemu) }
        var verifier = RestoreVerifier(profile: profile, host: try host(), replacementDomain: replacement, deep: deep)
        if let vmstate {
            do {
                let capture = try TargetCapture(json: try VerifyInputs.bytes(vmstate), source: vmstate)
                verifier.vmstate = capture.vmstate
                verifier.firmwareFiles = capture.firmwareFiles
            } catch let error as SaveImageError {
                throw ValidationError("--vmstate: \(error)")
            }
        }
        return (verifier, how)
    }

    /// The verifier every target option left at its default gives (the
    /// libvirt installed here, this machine's CPU), without ArgumentParser:
    /// for ``FastPath``.
    static func defaultVerifier() throws -> (RestoreVerifier, String) {
        if let local = try localVerifier(replacement: nil, deep: false, qemu: nil) { return local }
        let (profile, how) = try profile(targetLibvirt: nil)
        return (RestoreVerifier(profile: profile, host: LocalTarget.cpuinfoHost(), replacementDomain: nil, deep: false), how)
    }
}
