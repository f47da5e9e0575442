import SaveImage

/// `saveimg inspect --json`: one line per image. Keys are in the JSON schema
/// (`schema/saveimg-output.schema.json`) and stable: new keys may be added,
/// existing ones keep their meaning.
struct InspectReport: Encodable {
    struct Header: Encodable {
        var magic: String
        var version: UInt32
        var byteOrder: String
        var dataLen: UInt32
        var wasRunning: UInt32
        var format: UInt32
        var formatName: String
        var cookieOffset: UInt32
        var unused: [UInt32]
    }
    struct CPU: Encodable {
        var mode: String?
        var match: String?
        var check: String?
        var model: String?
        var vendor: String?
        var features: [CPUDefinition.Feature]
    }
    struct Domain: Encodable {
        var name: String?
        var uuid: String?
        var type: String?
        var memoryKib: UInt64?
        var currentMemoryKib: UInt64?
        var vcpus: UInt32?
        var arch: String?
        var machine: String?
        var cpu: CPU?
    }
    /// libvirt's `<cookie>`: where it is (as `ext list` gives it) and what it holds.
    struct Cookie: Encodable {
        var present: Bool
        var root: String?
        var offset: UInt64?
        /// Bytes it occupies, its terminating NUL included (as `layout[].size`).
        var size: Int?
        var terminated: Bool?
        var cpu: CPU?
        var otherElements: [String]?

        /// The cookie of `image`; with `content`, also its CPU and other elements (inspect), without (ext list).
        init(_ image: SaveImage, content: Bool) {
            let stored = image.cookieDocument
            present = stored != nil
            root = stored?.rootElementName
            offset = stored?.fileOffset
            size = stored?.storedLength
            terminated = stored?.isTerminated
            if content {
                cpu = image.cookie?.cpu.map(InspectReport.cpu)
                otherElements = image.cookie?.otherElementNames ?? []
            }
        }
    }
    struct Document: Encodable {
        var index: Int
        var root: String?
        var offset: UInt64
        var size: Int
        var terminated: Bool
    }
    struct Stream: Encodable {
        var offset: UInt64
        var size: UInt64
        var kind: String
        var qemuVersion: UInt32?
        var machineType: String?
    }
    var file: String
    var valid = true
    /// The worst finding on the one scale (`ok` when there are only `info` ones).
    var verdict: Severity
    var fileSize: UInt64
    var header: Header
    var domain: Domain
    var cookie: Cookie
    var cpuDifference: CPUDifference
    var extensions: [Document]
    var ignoredDocuments: [Document]
    var paddingSize: Int
    var stream: Stream
    var layout: [LayoutSegment]
    var findings: [FindingReport]
    /// A sparse (mapped-ram) image's RAM blocks, holes, device-state offset and allocation.
    var sparse: SparseImageSummary?

    init(_ image: SaveImage) {
        file = image.path
        verdict = Severity.verdict(image.findings.map(\.severity))
        fileSize = image.fileSize
        let h = image.header
        header = Header(magic: h.magic.printable, version: h.version, byteOrder: h.byteOrder.rawValue,
                        dataLen: h.dataLength, wasRunning: h.wasRunning, format: h.format.rawValue,
                        formatName: h.format.description, cookieOffset: h.cookieOffset, unused: h.unused)
        let d = image.domain
        domain = Domain(name: d.name, uuid: d.uuid, type: d.type, memoryKib: d.memoryKiB,
                        currentMemoryKib: d.currentMemoryKiB, vcpus: d.vcpus, arch: d.arch, machine: d.machine,
                        cpu: d.cpu.map(Self.cpu))
        cookie = Cookie(image, content: true)
        cpuDifference = image.cpuDifference
        extensions = image.extensions.enumerated().map { Self.document($1, index: $0 + 1) }
        ignoredDocuments = image.header.cookieOffset == 0
            ? image.region.ignoredDocuments.enumerated().map { Self.document($1, index: $0 + 1) } : []
        paddingSize = image.region.padding.count
        let prelude = image.streamPrelude
        stream = Stream(offset: image.streamOffset, size: image.streamLength, kind: image.streamSignature.name,
                        qemuVersion: prelude?.version, machineType: prelude?.machineType)
        layout = image.layoutSegments
        findings = image.findings.map(FindingReport.init)
    }

    static func cpu(_ cpu: CPUDefinition) -> CPU {
        CPU(mode: cpu.mode, match: cpu.match, check: cpu.check, model: cpu.model, vendor: cpu.vendor,
            features: cpu.features)
    }

    /// A chained document; `index` counts from 1 as everywhere in saveimg
    /// (`dumpxml --extension N`, `ext show N`, layout `extension_N`).
    static func document(_ document: ChainDocument, index: Int) -> Document {
        Document(index: index, root: document.rootElementName, offset: document.fileOffset,
                 size: document.storedLength, terminated: document.isTerminated)
    }
}
