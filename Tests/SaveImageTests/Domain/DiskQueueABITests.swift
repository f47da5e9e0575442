import Foundation
import Testing
@testable import SaveImage

/// A virtio disk's queue count and size are guest ABI: libvirt 9.0, 11.3 and
/// 12.8 refuse `virsh restore --xml` with `queue_size='512'` added
/// ("Target disk queue size 0 does not match source 0", measured; the
/// message prints the queue counts) and a `queues` change ("Target disk
/// queue count 1 does not match source 0"). libvirt 7.0 accepted it.
@Suite("Guest ABI: a disk's queues and queue_size")
struct DiskQueueABITests {
    static func domain(driver: String) throws -> DomainSummary {
        let xml = """
            <domain type='qemu'><name>rg-9-pc2cpu</name><memory unit='KiB'>524288</memory><vcpu>2</vcpu>
            <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os><devices>
            <disk type='file' device='disk'>\(driver)<source file='/tmp/rg/guest/rg-9-pc2cpu-disk.img'/><target dev='vda' bus='virtio'/></disk>
            </devices></domain>
            """
        return try DomainSummary(element: try XMLParser.parse(Array(xml.utf8), name: "domain XML"))
    }

    @Test("queue_size added: libvirt's message, word for word")
    func queueSize() throws {
        let source = try Self.domain(driver: "<driver name='qemu' type='raw'/>")
        let target = try Self.domain(driver: "<driver name='qemu' type='raw' queue_size='512'/>")
        #expect(DomainABICheck.differences(source: source, target: target) == ["Target disk queue size 0 does not match source 0"])
        #expect(RestoreVerifier.abiCode("Target disk queue size 0 does not match source 0") == .abi("disk_queue_size"))
    }

    @Test("queues changed, and an unchanged driver passes")
    func queues() throws {
        let source = try Self.domain(driver: "<driver name='qemu' type='raw'/>")
        #expect(DomainABICheck.differences(source: source, target: try Self.domain(driver: "<driver name='qemu' type='raw' queues='1'/>"))
                == ["Target disk queue count 1 does not match source 0"])
        #expect(DomainABICheck.differences(source: source, target: try Self.domain(driver: "<driver name='qemu' type='raw'/>")).isEmpty)
    }

    static func summary(_ name: String, replacing: String? = nil, with: String = "") throws -> DomainSummary {
        var text = try String(contentsOfFile: Fixtures.testdata + "/real-guests/" + name, encoding: .utf8)
        if let replacing { text = text.replacingOccurrences(of: replacing, with: with) }
        return try DomainSummary(element: try XMLParser.parse(Array(text.utf8), name: name))
    }

    /// The operator's workflow on a realistic guest: `virsh save-image-dumpxml`
    /// (which shows the PCI root, the default USB controller and the PS/2
    /// devices the image's migratable XML leaves out), edit, give it back.
    /// libvirt 9.0 and 12.8 accepted the unedited dumpxml and refused only the queue_size edit.
    @Test("save-image-dumpxml output is ABI-compatible with the image's XML; only the queue_size edit is refused",
          arguments: ["rg-9-pc2cpu", "rg-12-q35uefi"])
    func dumpxmlWorkflow(guest: String) throws {
        let image = try Self.summary(guest + ".image-domain.xml")
        let dumped = try Self.summary(guest + ".save-image-dumpxml.xml")
        #expect(DomainABICheck.differences(source: image, target: dumped) == [])
        let edited = try Self.summary(guest + ".save-image-dumpxml.xml", replacing: "<driver name='qemu' type='raw'/>",
                                      with: "<driver name='qemu' type='raw' queue_size='512'/>")
        #expect(DomainABICheck.differences(source: image, target: edited) == ["Target disk queue size 0 does not match source 0"])
        // A device really added still counts.
        let added = try Self.summary(guest + ".save-image-dumpxml.xml", replacing: "</devices>",
                                     with: "<controller type='scsi' index='0' model='virtio-scsi'/></devices>")
        #expect(DomainABICheck.differences(source: image, target: added).first?.hasPrefix("Target domain controller count") == true)
    }
}
