import ArgumentParser
import FoundationEssentials
import SaveImage

extension SaveImg {
    /// `saveimg verify FILE|DIR...`: will each image restore on the target?
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell whether save images will restore on a target libvirt and host, and if not, why.",
            discussion: """
                For each image: the verdict (restorable, restorable with warnings, will fail, invalid) \
                and every reason with a stable code, the message libvirt gives and a fix hint. Reads \
                only the header, the data region and the stream's first bytes.

                The target reader is --target-libvirt: the libvirt version that will restore the \
                image (such as 7.0, 9.0 or 11.3; `current` for the newest; default 9.0). The target host CPU is --domcapabilities (preferred: what \
                libvirt compares guest CPUs with, also under TCG) or --capabilities (`virsh \
                capabilities`); with neither, this machine's /proc/cpuinfo, which binds only KVM \
                guests (<domain type='kvm'>; TCG emulates missing features), and --no-host skips \
                the host comparison. --model-additions gives the features QEMU adds to each CPU model on that \
                host, one line per model (`Westmere: pclmuldq hypervisor arat`, from a guest of that \
                model started there), needed to predict libvirt's "extra features" refusal.

                Examples:
                  saveimg verify vm.save
                  saveimg verify --target-libvirt 3.2 --domcapabilities old-host-domcaps.xml vm.save
                  saveimg verify --xml new.xml vm.save
                  saveimg verify --recursive --json /var/lib/libvirt/qemu/save

                Exit status: 0 every image restores (warnings included: they are reported but do \
                not change the status); 1 usage error; 2 at least one image is invalid (libvirt \
                refuses to read it); 3 at least one reads but will fail to restore (and none is \
                invalid).
                """)

        /// Versions offered by shell completion: where libvirt's restore behaviour changes
        /// (CPU check 3.2, cookie 3.5, feature messages 4.7) and the releases measured (7.0, 9.0, 11.3).
        static let knownLibvirtVersions = ["3.2", "3.5", "4.7", "7.0", "9.0", "11.3", "current"]

        @Argument(help: "Save image files or directories.", completion: .file())
        var paths: [String] = []

        @OptionGroup var source: ImageSource

        @Option(name: .customLong("target-libvirt"), help: "The libvirt version that will restore the image (e.g. 7.0, 9.0, 11.3, or current).",
                completion: .list(Self.knownLibvirtVersions))
        var targetLibvirt = "9.0"

        @Option(help: "`virsh capabilities` XML of the target host.", completion: .file())
        var capabilities: String?

        @Option(help: "`virsh domcapabilities` XML of the target host (preferred).", completion: .file())
        var domcapabilities: String?

        @Option(name: .customLong("model-additions"), help: "Measured QEMU additions per CPU model on the target host.",
                completion: .file())
        var modelAdditions: String?

        @Flag(name: .customLong("no-host"), help: "Do not compare the CPU with any host.")
        var noHost = false

        @Option(help: "Replacement domain XML (as `virsh restore --xml`): check its ABI against the image.",
                completion: .file())
        var xml: String?

        @Flag(help: "Descend into directories.")
        var recursive = false

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        func validate() throws {
            if noHost, let given = [("--domcapabilities", domcapabilities), ("--capabilities", capabilities),
                                     ("--model-additions", modelAdditions)].first(where: { $0.1 != nil }) {
                throw ValidationError("--no-host skips the host comparison; it cannot be used with \(given.0)")
            }
            if domcapabilities != nil && capabilities != nil {
                throw ValidationError("give one target host description: --domcapabilities (preferred) or --capabilities")
            }
        }

        func run() throws {
            let paths = try source.paths(self.paths)
            guard let profile = ReaderProfile(named: targetLibvirt) else {
                throw ValidationError("--target-libvirt: expected a libvirt version such as 9.0 or 11.3 (or current), found '\(targetLibvirt)'")
            }
            let verifier = RestoreVerifier(profile: profile, host: try loadHost(), replacementDomain: try loadReplacement())
            let (files, skippedDirectories) = VerifyInputs.expand(paths, recursive: recursive)
            if files.isEmpty {
                throw CommandFailure(code: .noImages, path: paths.joined(separator: " "), message: "0 images"
                    + (skippedDirectories > 0 ? " (\(skippedDirectories) subdirectories not read: use --recursive)" : ""))
            }
            var results: [(String, RestoreVerdict)] = []
            for file in files { results.append((file, verifier.verify(path: file))) }
            if json {
                let target = VerifyReport.Target(verifier: verifier, host: hostKind, replacementXML: xml)
                for (file, verdict) in results { try printJSONLine(VerifyReport(path: file, verdict: verdict, target: target)) }
            } else {
                let many = results.count > 1
                for (file, verdict) in results { print(VerifyReport.text(path: file, verdict: verdict, oneLine: many)) }
                if many { print(VerifyReport.summary(results.map(\.1))) }
            }
            let worst = results.map(\.1.outcome).max() ?? .restorable
            if worst == .invalid { throw ExitCode(ExitStatus.invalid) }
            if worst == .willFail { throw ExitCode(ExitStatus.wouldFail) }
        }

        /// Which host option gave the target CPU (`verify --json`'s `target.host.kind`).
        var hostKind: VerifyReport.Target.Host.Kind? {
            if noHost { return nil }
            if domcapabilities != nil { return .domcapabilities }
            if capabilities != nil { return .capabilities }
            return .cpuinfo
        }

        func loadHost() throws -> TargetHost? {
            if noHost { return nil }
            var host: TargetHost
            do {
                if let domcapabilities {
                    host = try TargetHost(domainCapabilities: try VerifyInputs.bytes(domcapabilities), source: domcapabilities)
                } else if let capabilities {
                    host = try TargetHost(capabilities: try VerifyInputs.bytes(capabilities), source: capabilities)
                } else {
                    host = TargetHost(cpuinfo: String(decoding: try VerifyInputs.bytes("/proc/cpuinfo"), as: UTF8.self),
                                      source: "this machine (/proc/cpuinfo)")
                }
            } catch let error as SaveImageError {
                throw ValidationError("\(error)")
            }
            if let modelAdditions {
                host.modelAdditions = TargetHost.parseModelAdditions(
                    String(decoding: try VerifyInputs.bytes(modelAdditions), as: UTF8.self))
            }
            return host
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
