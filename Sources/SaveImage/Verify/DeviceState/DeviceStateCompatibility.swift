/// Whether a target QEMU can load an image's device state: the image's VM
/// description (``SavedDeviceStates``) against the target's `-dump-vmstate`
/// (``TargetVMStateDump``), and the virtqueue sizes the image's virtio
/// devices hold (``VirtqueueSizes``) against what the target allocates
/// (``VirtqueueLimits``). A pure function: no file, no process.
///
/// The rules are QEMU's load rules (migration/vmstate.c, savevm.c), which
/// QEMU's `scripts/vmstate-static-checker.py` also follows:
/// - a section is loaded by the description of the same vmstate name; a
///   section written at a version above the target's `version_id`, or below
///   its `minimum_version_id`, is refused ("savevm: unsupported version");
/// - every subsection the image holds must be known to the target's
///   description (else "subsection ... not found"), at a version it accepts;
/// - fields are read in order by size, not by name: the target reads the
///   fields whose version is at most the section's; a field of the same
///   name with another element size misreads everything after it;
/// - the stream's virtio state carries each virtqueue's `vring.num`; a
///   target that allocated fewer entries for that queue refuses it.
///
/// What it cannot see: values other than the virtqueue sizes (a field the
/// target range-checks), and devices the dump does not list (non-device
/// savevm handlers): those are reported as not judged, never as fine.
public enum DeviceStateCompatibility {
    /// One incompatibility (or one thing not judged).
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Hashable, Sendable {
            /// The section's version is above the target's `version_id`.
            case versionTooNew = "version_too_new"
            /// The section's version is below the target's `minimum_version_id`.
            case versionTooOld = "version_too_old"
            /// The image holds a subsection the target does not know.
            case subsectionUnknown = "subsection_unknown"
            /// A field of the same name has another element size in the target.
            case fieldSizeDiffers = "field_size_differs"
            /// The image has more fields than the target reads at this version.
            case fieldsExtra = "fields_extra"
            /// A virtqueue holds more entries than the target allocates.
            case virtqueueTooLarge = "virtqueue_too_large"
            /// The target's dump does not list the section's vmstate name.
            case notInDump = "not_in_dump"
        }

        public var kind: Kind
        /// The section's id string, e.g. `0000:00:04.0/virtio-blk`.
        public var section: String
        /// The vmstate description (or subsection) the problem is in.
        public var description: String
        /// The field, subsection or virtqueue, when one applies.
        public var field: String?
        /// Whether QEMU's load fails for certain (else: may fail / not judged).
        public var willFail: Bool
        /// What the image holds and what the target accepts.
        public var message: String
    }

    /// Compares every section of `image` with `target`, and the virtqueue
    /// sizes with `limits` (either may be nil: that part is skipped).
    public static func check(image: SavedDeviceStates, target: TargetVMStateDump?,
                             virtqueues: [VirtqueueSizes] = [], limits: VirtqueueLimits? = nil) -> [Problem] {
        var problems: [Problem] = []
        if let target {
            for device in image.devices {
                guard let description = device.description else { continue }
                guard let accepted = target.descriptions[description.name] else {
                    problems.append(Problem(kind: .notInDump, section: device.section, description: description.name, field: nil,
                                            willFail: false,
                                            message: "the target's vmstate dump does not list '\(description.name)' (not a device class there, or absent): not judged"))
                    continue
                }
                compare(description, accepted, section: device.section, into: &problems)
            }
        }
        if let limits {
            for device in virtqueues {
                guard let allocated = limits.sizes[device.vmstateName] else { continue }
                for (index, size) in device.queueSizes.enumerated() {
                    // Devices whose queue count varies (virtio-net multiqueue, virtio-serial ports)
                    // repeat their last listed limit.
                    guard let limit = index < allocated.count ? allocated[index] : allocated.last else { continue }
                    if size > limit {
                        problems.append(Problem(
                            kind: .virtqueueTooLarge, section: device.section, description: device.vmstateName,
                            field: "vq[\(index)].vring.num", willFail: true,
                            message: "virtqueue \(index) holds vring.num \(size) (offset \(device.offsets[index])); \(limits.source) allocates at most \(limit) for \(device.vmstateName) on \(limits.machineType ?? "this machine type") (QEMU: \"VQ \(index) vring.num \(size) exceeds allocated max \(limit)\")"))
                    }
                }
            }
        }
        return problems
    }

    static func compare(_ saved: SavedDeviceStates.Description, _ accepted: TargetVMStateDump.Description,
                        section: String, into problems: inout [Problem]) {
        if saved.version > accepted.version {
            problems.append(Problem(kind: .versionTooNew, section: section, description: saved.name, field: nil, willFail: true,
                                    message: "'\(saved.name)' was saved at version \(saved.version); the target loads at most version \(accepted.version) (QEMU: \"unsupported version \(saved.version) for '\(section)' v\(accepted.version)\")"))
            return
        }
        if saved.version < accepted.minimumVersion {
            problems.append(Problem(kind: .versionTooOld, section: section, description: saved.name, field: nil, willFail: true,
                                    message: "'\(saved.name)' was saved at version \(saved.version); the target loads at least version \(accepted.minimumVersion)"))
            return
        }
        compareFields(saved, accepted, section: section, into: &problems)
        for subsection in saved.subsections {
            guard let known = accepted.subsections.first(where: { $0.name == subsection.name }) else {
                problems.append(Problem(kind: .subsectionUnknown, section: section, description: saved.name, field: subsection.name,
                                        willFail: true,
                                        message: "the image holds subsection '\(subsection.name)' of '\(saved.name)', which the target does not know (QEMU: \"Subsection '\(subsection.name)' not found\")"))
                continue
            }
            compare(subsection, known, section: section, into: &problems)
        }
    }

    /// Walks both field lists in order, the way the target reads the wire:
    /// the target's fields newer than the saved version, and conditional ones
    /// the image did not write, are skipped; a renamed field of the same size
    /// reads the same bytes.
    static func compareFields(_ saved: SavedDeviceStates.Description, _ accepted: TargetVMStateDump.Description,
                              section: String, into problems: inout [Problem]) {
        let loaded = accepted.fields.filter { $0.version <= saved.version }
        var next = 0
        for field in saved.fields {
            // Skip the target's conditional fields that the image did not write.
            var candidate = next
            while candidate < loaded.count, loaded[candidate].name != field.name, loaded[candidate].conditional {
                candidate += 1  // bounded: below loaded.count
            }
            if candidate < loaded.count, loaded[candidate].name == field.name { next = candidate }
            guard next < loaded.count else {
                problems.append(Problem(kind: .fieldsExtra, section: section, description: saved.name, field: field.name,
                                        willFail: false,
                                        message: "the image holds field '\(field.name)' of '\(saved.name)' v\(saved.version) after the last field the target reads at that version"))
                return
            }
            let target = loaded[next]
            next += 1  // bounded: below loaded.count
            if let nested = field.structure, let nestedTarget = target.structure {
                compare(nested, nestedTarget, section: section, into: &problems)
                continue
            }
            if field.structure == nil, target.structure == nil, target.name == field.name, field.size != target.size, field.size > 0, target.size > 0 {
                problems.append(Problem(kind: .fieldSizeDiffers, section: section, description: saved.name, field: field.name,
                                        willFail: true,
                                        message: "field '\(field.name)' of '\(saved.name)' was saved with \(field.size)-byte elements; the target reads \(target.size)"))
                return
            }
        }
    }
}
