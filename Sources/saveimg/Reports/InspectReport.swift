import SaveImage

/// `saveimg inspect --json`: one object per image. Keys are documented in the
/// README and stable: new keys may be added, existing ones keep their meaning.
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
    struct Cookie: Encodable {
        var present: Bool
        var cpu: CPU?
        var otherElements: [String]
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
    struct FindingReport: Encodable {
        var code: String
        var severity: String
        var message: String
        var libvirtMessage: String?
        var offset: UInt64?
    }

    var filename: String
    var valid = true
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
        filename = image.path
        fileSize = image.fileSize
        let h = image.header
        header = Header(magic: h.magic.printable, version: h.version, byteOrder: h.byteOrder.rawValue,
                        dataLen: h.dataLength, wasRunning: h.wasRunning, format: h.format.rawValue,
                        formatName: h.format.description, cookieOffset: h.cookieOffset, unused: h.unused)
        let d = image.domain
        domain = Domain(name: d.name, uuid: d.uuid, type: d.type, memoryKib: d.memoryKiB,
                        currentMemoryKib: d.currentMemoryKiB, vcpus: d.vcpus, arch: d.arch, machine: d.machine,
                        cpu: d.cpu.map(Self.cpu))
        cookie = Cookie(present: image.cookieDocument != nil, cpu: image.cookie?.cpu.map(Self.cpu),
                        otherElements: image.cookie?.otherElementNames ?? [])
        cpuDifference = image.cpuDifference
        extensions = image.extensions.enumerated().map { Self.document($1, index: $0 + 1) }
        ignoredDocuments = image.header.cookieOffset == 0
            ? image.region.ignoredDocuments.enumerated().map { Self.document($1, index: $0) } : []
        paddingSize = image.region.padding.count
        let prelude = image.streamPrelude
        stream = Stream(offset: image.streamOffset, size: image.streamLength, kind: image.streamSignature.name,
                        qemuVersion: prelude?.version, machineType: prelude?.machineType)
        layout = image.layoutSegments
        findings = image.findings.map {
            FindingReport(code: $0.code, severity: $0.severity.rawValue, message: $0.message,
                          libvirtMessage: $0.libvirtMessage, offset: $0.offset)
        }
    }

    static func cpu(_ cpu: CPUDefinition) -> CPU {
        CPU(mode: cpu.mode, match: cpu.match, check: cpu.check, model: cpu.model, vendor: cpu.vendor,
            features: cpu.features)
    }

    static func document(_ document: ChainDocument, index: Int) -> Document {
        Document(index: index, root: document.rootElementName, offset: document.fileOffset,
                 size: document.bytes.count, terminated: document.isTerminated)
    }
}
