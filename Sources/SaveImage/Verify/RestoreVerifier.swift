/// Decides whether a save image will restore on a target: a libvirt release
/// (``ReaderProfile``), optionally the target's descriptions (``TargetHost``:
/// `virsh capabilities` and/or `virsh domcapabilities`) and a replacement
/// domain XML (`virsh restore --xml`).
///
/// Reuses the image reader's checks (``SaveImage/findings``, which follow
/// libvirt 9.0) and adapts them to the target release; adds the machine type,
/// RAM size, XML constructs, CPU names and CPU comparison libvirt and QEMU
/// make at restore, the ABI check of a replacement XML, and the stream's end.
/// Without ``deep`` it reads a bounded number of bytes whatever the image's size.
public struct RestoreVerifier: Sendable {
    public var profile: ReaderProfile
    public var host: TargetHost?
    /// A captured target (`verify --target host.json`): each image is judged
    /// against the host its guest meets there (virt type, machine family),
    /// which replaces ``host`` for that image.
    public var target: CapturedTarget?
    /// A replacement domain XML, as `virsh restore --xml` would get it.
    public var replacementDomain: DomainSummary?
    /// Decompress and walk the whole stream (`verify --deep`). Streams of at
    /// most ``automaticDeepLimit`` stored bytes are walked whatever this says.
    public var deep = false
    /// Streams up to this many stored bytes are decoded and walked to the end
    /// without `--deep`: measured at about 10 ms per MB for gzip
    /// (scripts/lab/ figures in the report), cheap next to a restore. Set to 0
    /// to walk only with ``deep``.
    public var automaticDeepLimit: UInt64 = 64 << 20
    /// With ``deep``: called with stream bytes read and total.
    public var progress: (@Sendable (UInt64, UInt64) -> Void)?
    /// The target's QEMU vmstate dumps, virtqueue limits and firmware (from a
    /// target capture); nil: what ``defaultDeviceTarget(_:)`` knows (measured
    /// virtqueue limits, listed firmware), and without vmstate descriptions
    /// the device state is a `cannot_tell` (`device_state_not_checked`).
    public var deviceTarget: DeviceStateTarget?
    /// The target QEMU's vmstate descriptions given apart from a capture
    /// (`verify --vmstate host.json` with the XML options): used with the
    /// measured virtqueue limits and ``host``'s firmware list.
    public var vmstate: CapturedVMState?
    /// The target's firmware files and sizes given apart from a capture (`--vmstate host.json`).
    public var firmwareFiles: [String: UInt64]?

    public init(profile: ReaderProfile = .libvirt90, host: TargetHost? = nil, replacementDomain: DomainSummary? = nil,
                deep: Bool = false) {
        self.profile = profile
        self.host = host
        self.replacementDomain = replacementDomain
        self.deep = deep
    }

    /// Reads the image at `path` and verifies it; a file libvirt would refuse
    /// to read gives an ``RestoreVerdict/Outcome/invalid`` verdict; one saveimg
    /// cannot read, ``RestoreVerdict/Outcome/notJudged``.
    public func verify(path: String) -> RestoreVerdict {
        do {
            return verify(try SaveImage(contentsOf: path))
        } catch {
            return verdict(forReadError: error)
        }
    }

    /// Verifies an image already read.
    public func verify(_ image: SaveImage) -> RestoreVerdict {
        if let target {
            var resolved = self
            resolved.target = nil
            resolved.host = target.host(domainType: (replacementDomain ?? image.domain).type, arch: image.domain.arch,
                                        machine: image.domain.machine ?? image.streamPrelude?.machineType)
            if resolved.deviceTarget == nil {
                // The capture's vmstate dumps and firmware files (or this machine's QEMU, asked on demand).
                var device = resolved.defaultDeviceTarget(image)
                device.captured = target.capture.vmstate
                device.dumper = target.vmstateDumper
                if let files = target.capture.firmwareFiles {
                    var firmware = device.firmware ?? FirmwareCompatibility.Target(
                        loaderValues: target.capture.loaderValues, source: "target capture (\(target.capture.hostname ?? target.capture.source))")
                    firmware.files = files
                    device.firmware = firmware
                } else if let onDemand = target.onDemand, let loaders = device.firmware?.loaderValues, !loaders.isEmpty {
                    // This machine: its firmware files, looked up beside the loader paths its domcapabilities list.
                    device.firmware?.files = onDemand.firmwareFiles(near: loaders)
                }
                resolved.deviceTarget = device
            }
            return resolved.verify(image)
        }
        // In libvirt's order: header and format, the replacement XML's ABI
        // check, the XML parse (constructs, CPU names), machine, CPU, then QEMU.
        var reasons = structureReasons(image)
        reasons += pairingReasons(image)
        let abi = abiReasons(image)
        reasons += abi
        reasons += constructReasons(image)
        // 9.0 and 11.3 refuse an unknown machine while validating the XML, before the
        // CPU checks; 7.0 only when QEMU starts, after them (measured).
        if profile.validatesMachineType {
            reasons += machineReasons(image)
            reasons += cpuReasons(image)
        } else {
            reasons += cpuReasons(image)
            reasons += machineReasons(image)
        }
        let walk = walkStream(image)
        if abi.isEmpty { reasons += ramReasons(image, walk: walk) }  // QEMU starts only once the ABI check passed
        reasons += streamReasons(image, walk: walk)
        // Always: without the target's vmstate descriptions the answer is cannot_tell, never ok.
        reasons += Self.deviceStateReasons(image, target: deviceTarget ?? defaultDeviceTarget(image),
                                           decompress: walksWholeStream(image), walkedTail: walk?.tail)
        return RestoreVerdict(target: targetDescription, reasons: reasons)
    }

    /// What the verdict is for, e.g. `libvirt 9.0.0 (measured) with caps.xml`.
    public var targetDescription: String {
        var text = "\(profile.name) (\(profile.basis == .measured ? "measured" : "nearest measured: \(profile.nearestMeasured)"))"
        text += " + QEMU \(profile.effectiveQEMU)" + (profile.qemu == nil ? " (assumed: the lab's)" : "")
        if let target { text += " with the capture of \(target.capture.hostname ?? target.capture.source)" }
        else if let host { text += " with \(host.source)" }
        return text
    }

    func verdict(forReadError error: SaveImageError) -> RestoreVerdict {
        var libvirtMessage = profile.readErrorMessage(error.libvirtMessage)
        if error.code == .cookieOffsetPastDataLength { libvirtMessage = profile.cookieOffsetPastDataLengthOutcome }
        // saveimg's own failure to read says nothing of libvirt: not judged (a warning), not "fails".
        let reason = error.stopsSaveimgOnly
            ? RestoreVerdict.Reason(.unreadable(error.code), .warning,
                                    "not judged: saveimg could not read the image (\(error))", offset: error.offset)
            : RestoreVerdict.Reason(.unreadable(error.code), .restoreFails, error.description,
                                    libvirt: libvirtMessage, offset: error.offset)
        // The error as this release prints it, in the verdict's reason and its error alike.
        var worded = error
        worded.libvirtMessage = libvirtMessage
        return RestoreVerdict(target: targetDescription, reasons: [reason], readError: worded)
    }
}
