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
/// - fields are read in order by size, not by name: a scalar field of the
///   same name with another size misreads everything after it (fields are
///   paired by name; renamed fields are not judged);
/// - the stream's virtio state carries each virtqueue's `vring.num`; a
///   target that allocated fewer entries for that queue refuses it.
///
/// What it cannot see: values other than the virtqueue sizes (a field the
/// target range-checks); fields added, removed or renamed between versions
/// of the same section version (the image's description names array
/// elements `name[i]`, leaves out zero-length arrays, and QEMU renames
/// fields it still reads in the same place: QEMU 10.0's `hpet`
/// `num_timers_save` loads 7.2's `num_timers`, measured), so field lists are
/// not compared by name; and sections the dump does not list (`-dump-vmstate`
/// prints device classes only: `timer`, `cpu`, `cpu_common`, `apic`,
/// `PCIBUS`, `i2c_bus`, `acpi_build`, `globalstate` and, before QEMU 10,
/// `ide` are in every lab's streams and in no lab's dump): those are
/// reported as not judged (info), never as fine.
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
            /// A virtqueue holds more entries than the target allocates.
            case virtqueueTooLarge = "virtqueue_too_large"
            /// The target's dump does not list the section's vmstate name.
            case notInDump = "not_in_dump"
        }

        /// Which rule the image breaks.
        public var kind: Kind
        /// The section's id string, e.g. `0000:00:04.0/virtio-blk`.
        public var section: String
        /// The section's instance id (two vCPUs: `cpu` 0 and 1).
        public var instance: Int = 0
        /// The vmstate description (or subsection) the problem is in.
        public var vmstate: String
        /// The field, subsection or virtqueue, when one applies.
        public var field: String?
        /// Whether QEMU's load fails for certain (else: may fail / not judged).
        public var willFail: Bool
        /// What the image holds and what the target accepts.
        public var message: String
        /// The message.
        public var description: String { message }
        /// What libvirt reports when QEMU refuses the section (QEMU's
        /// `qemu_loadvm_section_start_full` / `vmstate_load_state` wording).
        public var qemuMessage: String {
            "load of migration failed: Invalid argument: error while loading state for instance \(Hex.number(instance)) of device '\(section)'"
        }
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
                    problems.append(Problem(kind: .notInDump, section: device.section, vmstate: description.name, field: nil,
                                            willFail: false,
                                            message: "the target's vmstate dump does not list '\(description.name)' (not a device class there, or absent): not judged"))
                    continue
                }
                let first = problems.count
                compare(description, accepted, section: device.section, into: &problems)
                for index in first..<problems.count { problems[index].instance = device.instance }
            }
        }
        if let limits, limits.enforced {
            for device in virtqueues {
                guard let allocated = limits.sizes[device.vmstateName] else { continue }
                for (index, size) in device.queueSizes.enumerated() {
                    // Devices whose queue count varies (virtio-net multiqueue, virtio-serial ports)
                    // repeat their last listed limit.
                    guard let limit = index < allocated.count ? allocated[index] : allocated.last else { continue }
                    if size > limit {
                        problems.append(Problem(
                            kind: .virtqueueTooLarge, section: device.section, vmstate: device.vmstateName,
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
            problems.append(Problem(kind: .versionTooNew, section: section, vmstate: saved.name, field: nil, willFail: true,
                                    message: "'\(saved.name)' was saved at version \(saved.version); the target loads at most version \(accepted.version) (QEMU: \"unsupported version \(saved.version) for '\(section)' v\(accepted.version)\")"))
            return
        }
        if saved.version < accepted.minimumVersion {
            problems.append(Problem(kind: .versionTooOld, section: section, vmstate: saved.name, field: nil, willFail: true,
                                    message: "'\(saved.name)' was saved at version \(saved.version); the target loads at least version \(accepted.minimumVersion)"))
            return
        }
        compareFields(saved, accepted, section: section, into: &problems)
        for subsection in saved.subsections {
            guard let known = accepted.subsections.first(where: { $0.name == subsection.name }) else {
                problems.append(Problem(kind: .subsectionUnknown, section: section, vmstate: saved.name, field: subsection.name,
                                        willFail: true,
                                        message: "the image holds subsection '\(subsection.name)' of '\(saved.name)', which the target does not know (QEMU: \"Subsection '\(subsection.name)' not found\")"))
                continue
            }
            compare(subsection, known, section: section, into: &problems)
        }
    }

    /// Fixed-size scalar types: the element size of such a field is its wire size.
    static let scalarTypes: Set<String> = [
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "int32 le", "int32 equal",
        "uint8 equal", "uint16 equal", "uint32 equal", "uint64 equal", "float64", "int32_le",
    ]

    /// Pairs each saved field with the target's field of the same name (an
    /// array of structures appears once per element in the image, once in the
    /// dump; a renamed field cannot be paired and is not judged): nested
    /// structures are compared like sections; a scalar of another size
    /// misreads every byte after it.
    static func compareFields(_ saved: SavedDeviceStates.Description, _ accepted: TargetVMStateDump.Description,
                              section: String, into problems: inout [Problem]) {
        var byName: [String: TargetVMStateDump.Field] = [:]
        for field in accepted.fields where field.version <= saved.version && byName[field.name] == nil { byName[field.name] = field }
        var compared: Set<String> = []
        for field in saved.fields {
            guard let target = byName[field.name] else { continue }
            if let nested = field.structure, let nestedTarget = target.structure {
                // Elements of an array of structures share one description: compare it once.
                if compared.insert(field.name + "/" + nested.name).inserted {  // bounded: string concatenation
                    compare(nested, nestedTarget, section: section, into: &problems)
                }
                continue
            }
            if field.structure == nil, target.structure == nil, scalarTypes.contains(field.type),
               field.size > 0, target.size > 0, field.size != target.size {
                problems.append(Problem(kind: .fieldSizeDiffers, section: section, vmstate: saved.name, field: field.name,
                                        willFail: true,
                                        message: "field '\(field.name)' of '\(saved.name)' was saved as a \(field.size)-byte \(field.type); the target reads \(target.size) bytes"))
            }
        }
    }
}
