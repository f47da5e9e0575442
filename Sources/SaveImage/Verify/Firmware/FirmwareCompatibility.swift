/// Whether a target can give a restored guest the firmware it was saved
/// with. The firmware's code and variables are not in the stream as files:
/// QEMU opens the saved domain XML's `<loader>` (and libvirt the `<nvram>`
/// file, made from its `template` when missing) on the target, and then
/// loads the stream's `system.flash0` / `system.flash1` RAM blocks into
/// flash devices of the file's size. So the target must have the loader
/// file, and of the size of the saved flash block: a 2 MiB OVMF build
/// (`OVMF_CODE.fd`, 1966080 bytes) saved on Debian 11/12 cannot restore where
/// only the 4 MiB build exists (Debian 13 and sid), and `retarget` cannot
/// change the flash contents' size. A pure function: no file access.
public enum FirmwareCompatibility {
    /// What the image holds.
    public struct Saved: Hashable, Sendable {
        /// `<os><loader>`'s path and `type` (`pflash`, `rom`), when there is one.
        public var loader: String?
        /// `pflash` or `rom`.
        public var loaderType: String?
        /// `<os><nvram>`'s path and `template`.
        public var nvram: String?
        /// The template libvirt copies when the NVRAM file is missing.
        public var nvramTemplate: String?
        /// The stream's flash RAM blocks: `system.flash0` (code), `system.flash1` (variables).
        public var flashCodeSize: UInt64?
        /// `system.flash1`'s size.
        public var flashVarsSize: UInt64?

        /// What an image holds, given field by field.
        public init(loader: String? = nil, loaderType: String? = nil, nvram: String? = nil, nvramTemplate: String? = nil,
                    flashCodeSize: UInt64? = nil, flashVarsSize: UInt64? = nil) {
            self.loader = loader
            self.loaderType = loaderType
            self.nvram = nvram
            self.nvramTemplate = nvramTemplate
            self.flashCodeSize = flashCodeSize
            self.flashVarsSize = flashVarsSize
        }

        /// The loader and NVRAM of a domain XML (`<domain>` element) and the
        /// flash block sizes of the stream's RAM block list.
        public init(domain: XMLElement, ramBlocks: [(name: String, size: UInt64)]) {
            let loader = domain.descendant("os", "loader")
            let nvram = domain.descendant("os", "nvram")
            func path(_ element: XMLElement?) -> String? {
                // The element's text without surrounding white space (a path may hold spaces).
                let text = (element?.text ?? "").drop { $0.isWhitespace }
                let trimmed = String(text.reversed().drop { $0.isWhitespace }.reversed())
                return trimmed.isEmpty ? nil : trimmed
            }
            self.init(loader: path(loader),
                      loaderType: loader?[attribute: "type"],
                      nvram: path(nvram),
                      nvramTemplate: nvram?[attribute: "template"],
                      flashCodeSize: ramBlocks.first { $0.name == "system.flash0" }?.size,
                      flashVarsSize: ramBlocks.first { $0.name == "system.flash1" }?.size)
        }
    }

    /// What the target has.
    public struct Target: Hashable, Sendable {
        /// `virsh domcapabilities`' `<os><loader><value>` paths (what the
        /// firmware descriptors announce; a file can exist without being listed).
        public var loaderValues: [String]
        /// Files on the target and their sizes, when known (a target capture,
        /// or this machine's file system); nil: not known.
        public var files: [String: UInt64]?
        /// What the figures are, for messages.
        public var source: String

        /// A target's firmware.
        public init(loaderValues: [String], files: [String: UInt64]? = nil, source: String) {
            self.loaderValues = loaderValues
            self.files = files
            self.source = source
        }
    }

    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Hashable, Sendable {
            case loaderMissing = "firmware_loader_missing"
            case loaderSizeDiffers = "firmware_loader_size_differs"
            case loaderNotListed = "firmware_loader_not_listed"
            /// The loader is listed but its size is not known (no files in the target description).
            case loaderSizeNotChecked = "firmware_loader_size_not_checked"
            case nvramTemplateMissing = "firmware_nvram_template_missing"
            case nvramSizeDiffers = "firmware_nvram_size_differs"
        }
        /// Which check failed; its raw value is the verify code.
        public var kind: Kind
        /// The file concerned.
        public var path: String
        /// Whether the restore fails for certain.
        public var willFail: Bool
        /// What saveimg found and what the target has.
        public var message: String
        /// The message.
        public var description: String { message }
        /// What the restore reports, in QEMU's words where known.
        public var qemuMessage: String {
            switch kind {
            case .loaderMissing: "Could not open '\(path)': No such file or directory"
            case .loaderSizeDiffers, .nvramSizeDiffers: "device requires \(path)'s size to match the saved flash contents"
            case .nvramTemplateMissing: "Failed to open file '\(path)': No such file or directory"
            case .loaderNotListed, .loaderSizeNotChecked: message
            }
        }
    }

    /// Whether `files` (a listing of whole directories) covers `path`'s directory.
    static func covers(_ files: [String: UInt64], _ path: String) -> Bool {
        guard let slash = path.lastIndex(of: "/") else { return false }
        let directory = path[...slash]
        return files.keys.contains { $0.hasPrefix(directory) && !$0.dropFirst(directory.count).contains("/") }
    }

    /// Every firmware problem `saved` has on `target`; empty when it restores.
    public static func check(_ saved: Saved, target: Target) -> [Problem] {
        var problems: [Problem] = []
        if let loader = saved.loader {
            if let files = target.files {
                if let size = files[loader] {
                    // A ROM loader is mapped whatever its size; pflash must match the saved flash block.
                    if saved.loaderType != "rom", let flash = saved.flashCodeSize, flash != size {
                        problems.append(Problem(kind: .loaderSizeDiffers, path: loader, willFail: true, message:
                            "the loader \(loader) on \(target.source) has \(size) bytes; the image's system.flash0 block has \(flash) (QEMU refuses to load flash contents of another size)"))
                    }
                } else if !covers(files, loader) {
                    problems.append(Problem(kind: .loaderNotListed, path: loader, willFail: false, message:
                        "the saved loader \(loader) is in a directory \(target.source) did not list: the restore fails unless the file exists there\(saved.flashCodeSize.map { " with \($0) bytes" } ?? "")"))
                } else {
                    problems.append(Problem(kind: .loaderMissing, path: loader, willFail: true, message:
                        "the saved loader \(loader) does not exist on \(target.source) (QEMU fails to open it when the restore starts); the target has \(target.loaderValues.isEmpty ? "no firmware listed" : target.loaderValues.joined(separator: ", "))\(saved.flashCodeSize.map { "; a replacement must have \($0) bytes (the saved system.flash0)" } ?? "")"))
                }
            } else if !target.loaderValues.isEmpty, !target.loaderValues.contains(loader) {
                problems.append(Problem(kind: .loaderNotListed, path: loader, willFail: false, message:
                    "the saved loader \(loader) is not among the firmware \(target.source) lists (\(target.loaderValues.joined(separator: ", "))): the restore fails unless the file exists there\(saved.flashCodeSize.map { " with \($0) bytes" } ?? "")"))
            } else if saved.loaderType != "rom", let flash = saved.flashCodeSize {
                problems.append(Problem(kind: .loaderSizeNotChecked, path: loader, willFail: false, message:
                    "the size of the loader \(loader) on \(target.source) is not known: the image's system.flash0 block has \(flash) bytes, and a loader of another size fails to load"))
            }
        }
        if let files = target.files, let nvram = saved.nvram {
            if let size = files[nvram] {
                if let flash = saved.flashVarsSize, flash != size {
                    problems.append(Problem(kind: .nvramSizeDiffers, path: nvram, willFail: true, message:
                        "the NVRAM file \(nvram) on \(target.source) has \(size) bytes; the image's system.flash1 block has \(flash)"))
                }
            } else if let template = saved.nvramTemplate {
                // The NVRAM file is per guest (often outside the firmware directories): when its
                // directory was not listed, whether libvirt copies the template is not known.
                let missing = covers(files, nvram)
                let state = missing ? "is missing on \(target.source)" : "is not in the directories \(target.source) listed; if it is missing there"
                if let size = files[template] {
                    if let flash = saved.flashVarsSize, flash != size {
                        problems.append(Problem(kind: .nvramSizeDiffers, path: template, willFail: missing, message:
                            "the NVRAM file \(nvram) \(state), libvirt copies the template \(template), which has \(size) bytes; the image's system.flash1 block has \(flash)"))
                    }
                } else if covers(files, template) || missing {
                    problems.append(Problem(kind: .nvramTemplateMissing, path: template, willFail: missing && covers(files, template), message:
                        "the NVRAM file \(nvram) \(state), and its template \(template) does not exist there: libvirt cannot create it"))
                }
            }
        }
        return problems
    }
}
