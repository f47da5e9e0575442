import ArgumentParser
import FoundationEssentials
import SaveImage

#if canImport(Glibc)
import Glibc
#endif

/// The target options `verify`, `scan`, `inspect` and `retarget` share.
struct TargetOptions: ParsableArguments {
    /// Versions offered by shell completion: where libvirt's restore behaviour changes
    /// (CPU check 3.2, cookie 3.5, feature messages 4.7) and the releases measured (7.0, 9.0, 11.3, 12.8).
    static let knownLibvirtVersions = ["3.2", "3.5", "4.7", "7.0", "9.0", "11.3", "12.8", "current"]

    @Option(name: .customLong("target-libvirt"),
            help: "Target libvirt version (7.0, 9.0.0, 11.3, 12.8, current). Default: this machine's running libvirt (or QEMU binary).",
            completion: .list(Self.knownLibvirtVersions))
    var targetLibvirt: String?

    @Option(help: "The target described in one document (`saveimg target capture > host.json` on it).",
            completion: .file())
    var target: String?

    @Option(help: "Target QEMU version (default: a capture's, else the running libvirt's, else the lab QEMU of the libvirt release).")
    var qemu: String?

    @Option(help: "`virsh capabilities` XML of the target (machine types, physical CPU).", completion: .file())
    var capabilities: String?

    @Option(help: "`virsh domcapabilities` XML of the target (the CPU guests are compared with).", completion: .file())
    var domcapabilities: String?

    @Option(name: .customLong("model-additions"), help: "Measured QEMU additions per CPU model on the target host.",
            completion: .file())
    var modelAdditions: String?

    @Flag(name: .customLong("no-host"), help: "Do not compare the CPU with any host (not even this machine's).")
    var noHost = false

    func validate() throws {
        if let qemu, QEMUVersion(qemu) == nil { throw ValidationError("--qemu: expected a version such as 11.1, found '\(qemu)'") }
        if target != nil, let given = [("--capabilities", capabilities), ("--domcapabilities", domcapabilities)]
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
        if namesNoTarget && ProcessInfo.processInfo.environment["SAVEIMG_LOCAL_TARGET"] != "off" { return .local }
        if domcapabilities != nil { return .domcapabilities }
        if capabilities != nil { return .capabilities }
        return .cpuinfo
    }

    /// The target profile and a sentence saying where it came from.
    func profile() throws -> (ReaderProfile, String) { try Self.profile(targetLibvirt: targetLibvirt) }

    /// The profile for `--target-libvirt` (nil: the libvirt installed here, else 9.0.0).
    static func profile(targetLibvirt: String?) throws -> (ReaderProfile, String) {
        if let targetLibvirt {
            guard let profile = ReaderProfile(named: targetLibvirt) else {
                throw ValidationError("--target-libvirt: expected a version such as 9.0 or a name (lab, current), found '\(targetLibvirt)'")
            }
            return (profile, "--target-libvirt \(targetLibvirt)")
        }
        if let (version, how) = installedLibvirt() { return (ReaderProfile(version: version), how) }
        return (.libvirt90, "no libvirt found on this machine: default 9.0.0")
    }

    /// The libvirt installed on this machine: the file libvirt.so.0 links to
    /// (`libvirt.so.0.9000.0` = 9.0.0: minor = major * 1000 + minor; one
    /// readlink, not a listing of the library directory), else `virsh --version`.
    static func installedLibvirt() -> (LibvirtVersion, String)? {
        for directory in ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/lib/aarch64-linux-gnu"] {
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink(directory + "/libvirt.so.0", &target, target.count - 1)
            guard length > 0 else { continue }
            let name = String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .split(separator: "/").last.map(String.init) ?? ""
            guard name.hasPrefix("libvirt.so.0.") else { continue }
            let parts = name.dropFirst("libvirt.so.0.".count).split(separator: ".")
            guard parts.count == 2, let encoded = Int(parts[0]), let micro = Int(parts[1]) else { continue }
            return (LibvirtVersion(encoded / 1000, encoded % 1000, micro), "the libvirt installed here (\(directory)/\(name))")
        }
        guard let output = Self.run(["virsh", "--version"]),
              let version = LibvirtVersion(String(output.filter { !$0.isWhitespace })) else { return nil }
        return (version, "the libvirt installed here (`virsh --version`)")
    }

    /// Standard output of a shell command line (fixed text, no user input), nil when it fails.
    private static func run(_ arguments: [String]) -> String? {
        guard let stream = popen(arguments.joined(separator: " ") + " 2>/dev/null", "r") else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = fread(&buffer, 1, buffer.count, stream)
            if count <= 0 { break }
            output += buffer.prefix(count)
        }
        return pclose(stream) == 0 ? String(decoding: output, as: UTF8.self) : nil
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
            guard let machine = Self.thisMachine() else { return nil }
            host = machine
        }
        if let modelAdditions, host != nil {
            host?.modelAdditions = TargetHost.parseModelAdditions(
                String(decoding: try VerifyInputs.bytes(modelAdditions), as: UTF8.self))
        }
        return host
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
        target == nil && targetLibvirt == nil && capabilities == nil && domcapabilities == nil && !noHost
    }

    /// This machine as a target, asked once: the running libvirt (`virsh
    /// version`, `capabilities`, `domcapabilities`), else the installed QEMU
    /// binary; nil when neither answers or `SAVEIMG_LOCAL_TARGET=off`.
    static func localTarget() -> (CapturedTarget, String)? {
        if ProcessInfo.processInfo.environment["SAVEIMG_LOCAL_TARGET"] == "off" { return nil }
        if let capture = TargetCapture.capture(virsh: ["virsh"]), let target = try? CapturedTarget(capture) {
            return (target, "this machine's running libvirt (virsh: libvirt \(capture.libvirtVersion ?? "?"), QEMU \(capture.qemuVersion ?? "?"))")
        }
        if let capture = TargetCapture.captureQEMU(), let target = try? CapturedTarget(capture) {
            return (target, "this machine's QEMU binary (no libvirt daemon answered: \(capture.source), QEMU \(capture.qemuVersion ?? "?"))")
        }
        return nil
    }

    /// The verifier for this machine as it is (``localTarget()``), nil when nothing answers.
    static func localVerifier(replacement: DomainSummary?, deep: Bool, qemu: String?) throws -> (RestoreVerifier, String)? {
        guard let (target, how) = localTarget() else { return nil }
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
        if namesNoTarget, var (verifier, how) = try Self.localVerifier(replacement: replacement, deep: deep, qemu: qemu) {
            if let modelAdditions {
                let table = TargetHost.parseModelAdditions(String(decoding: try VerifyInputs.bytes(modelAdditions), as: UTF8.self))
                verifier.target?.setModelAdditions(table)
            }
            return (verifier, how)
        }
        if let captured = try capturedTarget() {
            var (profile, how) = try targetLibvirt != nil || captured.profile == nil
                ? profile() : (captured.profile ?? .libvirt90, "--target \(target ?? "")")
            if let qemu { profile.qemu = QEMUVersion(qemu) } else if profile.qemu == nil { profile.qemu = captured.capture.qemu }
            var verifier = RestoreVerifier(profile: profile, host: nil, replacementDomain: replacement, deep: deep)
            verifier.target = captured
            if let modelAdditions {
                let table = TargetHost.parseModelAdditions(String(decoding: try VerifyInputs.bytes(modelAdditions), as: UTF8.self))
                verifier.target?.setModelAdditions(table)
            }
            return (verifier, how)
        }
        var (profile, how) = try profile()
        if let qemu { profile.qemu = QEMUVersion(qemu) }
        return (RestoreVerifier(profile: profile, host: try host(), replacementDomain: replacement, deep: deep), how)
    }

    /// The verifier every target option left at its default gives (the
    /// libvirt installed here, this machine's CPU), without ArgumentParser:
    /// for ``FastPath``.
    static func defaultVerifier() throws -> (RestoreVerifier, String) {
        if let local = try localVerifier(replacement: nil, deep: false, qemu: nil) { return local }
        let (profile, how) = try profile(targetLibvirt: nil)
        return (RestoreVerifier(profile: profile, host: thisMachine(), replacementDomain: nil, deep: false), how)
    }

    /// This machine's CPU from /proc/cpuinfo (it binds KVM guests only).
    static func thisMachine() -> TargetHost? {
        guard let bytes = FileManager.default.contents(atPath: "/proc/cpuinfo") else { return nil }
        return TargetHost(cpuinfo: String(decoding: [UInt8](bytes), as: UTF8.self), source: "this machine (/proc/cpuinfo)")
    }
}

extension SaveImg {
    /// `saveimg verify FILE|DIR...`: will each image restore on the target?
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell whether save images will restore on a target libvirt and host, and if not, why.",
            discussion: """
                For each image: the verdict (restorable, restorable with warnings, will fail, invalid) \
                and every reason with a stable code, the message the target libvirt (or its QEMU) \
                prints and a fix hint. Checks the header and data region, the format against the \
                target release, the machine type against the target's emulator (--capabilities), \
                domain XML constructs and CPU names against the target release's parser and CPU map, \
                the CPU against what binds the guest (TCG guests: domcapabilities' host-model; KVM \
                guests: that, or the physical CPU of --capabilities or /proc/cpuinfo), the RAM size \
                against the stream's RAM block, and the end of a raw or sparse stream. Without --deep \
                it reads a bounded number of bytes whatever the image's size; compressed streams \
                are decompressed and walked only with --deep.

                The target is --target host.json (`saveimg target capture` run on it), or \
                --target-libvirt with --capabilities/--domcapabilities; with no target option, \
                this machine as it is: its running libvirt (virsh version, capabilities, \
                domcapabilities, asked once), else its QEMU binary; the output says which. \
                Releases between and beyond the measured ones (7.0, 9.0, 11.3, 12.8) take \
                release-dated facts from libvirt's sources and the rest from the nearest measured \
                release, and say so; rules that depend on libvirt and QEMU together use the \
                target's QEMU (a capture's, --qemu, else the nearest lab's).

                Examples:
                  saveimg verify vm.save
                  saveimg verify --target host.json --forecast vm.save
                  saveimg verify --target host.json --qemu 11.2 vm.save
                  saveimg verify --target-libvirt 7.0 --capabilities caps.xml --domcapabilities domcaps.xml vm.save
                  saveimg verify --deep vm.save
                  saveimg verify --recursive --json /var/lib/libvirt/qemu/save

                Three answers, never a guess: "will restore" (restorable) only when every check \
                libvirt makes at restore was made; "will fail" with the target's message; else \
                "cannot tell", naming each check not made and the option that makes it (a \
                capture of the target: --target host.json; --capabilities, --domcapabilities; \
                --deep for a compressed stream above 64 MiB; smaller ones are always walked).

                Exit status: 0 every image restores (warnings included); 1 usage error, or no \
                image found; 2 at least one image is invalid (libvirt refuses to read it); 3 at \
                least one reads but will fail to restore (and none is invalid); 4 cannot tell for \
                at least one (and none fails or is invalid).
                """)

        @Argument(help: "Save image files or directories.", completion: .file())
        var paths: [String] = []

        @OptionGroup var source: ImageSource

        @OptionGroup var target: TargetOptions

        @Option(help: "Replacement domain XML (as `virsh restore --xml`): check its ABI against the image.",
                completion: .file())
        var xml: String?

        @Flag(help: "Decompress and walk the whole stream (a progress bar on a terminal).")
        var deep = false

        @Flag(help: "Descend into directories.")
        var recursive = false

        @Flag(help: "Say when QEMU will refuse each image's machine type (QEMU's 3/6-year rule); with --qemu V, judge against QEMU V.")
        var forecast = false

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        func run() throws {
            let paths = try source.paths(self.paths)
            var (verifier, how) = try target.verifier(replacement: try loadReplacement(), deep: deep)
            let (files, skippedDirectories) = VerifyInputs.expand(paths, recursive: recursive)
            if files.isEmpty {
                // Nothing to verify is a usage error (exit 1), as the help says.
                throw ValidationError("\(paths.joined(separator: " ")): 0 images"
                    + (skippedDirectories > 0 ? " (use --recursive: \(skippedDirectories) subdirectories not read)" : ""))
            }
            var results: [(String, RestoreVerdict)] = []
            for file in files {
                let bar = deep && !json && isatty(STDERR_FILENO) == 1 ? ProgressBar(label: "verify --deep") : nil
                if let bar {
                    nonisolated(unsafe) let shared = bar  // drawn from the reading thread only
                    verifier.progress = { done, total in shared.update(done: done, total: total) }
                }
                results.append((file, verifier.verify(path: file)))
                bar?.finish()
            }
            // --forecast: the metadata is read again (bounded, no stream) for the machine type.
            let forecasts = results.map { file, verdict in
                forecast ? (try? SaveImage(contentsOf: file)).flatMap { MachineForecast(image: $0, verdict: verdict) } : nil
            }
            if json {
                let target = VerifyReport.Target(verifier: verifier, host: self.target.hostKind, replacementXML: xml)
                for ((file, verdict), forecast) in zip(results, forecasts) {
                    var report = VerifyReport(path: file, verdict: verdict, target: target)
                    report.forecast = forecast
                    try printJSONLine(report)
                    // A file that could not be read: its message on standard error too, as every command's.
                    if let error = verdict.readError { ErrorExit.report(error.description, line: nil) }
                }
            } else {
                print("target: \(verifier.targetDescription) (from \(how))")
                let many = results.count > 1
                for ((file, verdict), forecast) in zip(results, forecasts) {
                    print(VerifyReport.text(path: file, verdict: verdict, oneLine: many))
                    if let forecast {
                        print("  forecast: machine \(forecast.machine): "
                              + (forecast.refusedFrom.map { "deprecated from QEMU \(forecast.deprecatedFrom ?? "?"), refused from QEMU \($0) (\(forecast.source ?? ""))" }
                                 ?? "not a versioned machine type: no forecast")
                              + (forecast.deprecatedOnTarget ? "; deprecated on the target" : ""))
                    }
                }
                if many { print(VerifyReport.summary(results.map(\.1))) }
            }
            let worst = results.map(\.1.outcome).max() ?? .restorable
            let status = ExitStatus.forOutcome(worst)
            if status != ExitStatus.success { throw ExitCode(status) }
        }

        func loadReplacement() throws -> DomainSummary? {
            guard let xml else { return nil }
            do {
                let element = try XMLParser.parse(try VerifyInputs.bytes(xml), name: "replacement domain XML", path: xml)
                guard element.name == "domain" else {
                    throw ValidationError("--xml \(xml): expected root element <domain>, found <\(element.name)>")
                }
                return try DomainSummary(element: element, path: xml)
            } catch let error as SaveImageError {
                throw ValidationError("--xml: \(error)")
            }
        }
    }
}
