import Foundation
import Testing
@testable import SaveImage

/// Each edit written to a copy of every fixture, read back: the reader sees
/// exactly the intended change and every other byte is identical.
@Suite("Edit writes on real images")
struct EditWriteTests {
    /// Runs `edit` on a copy of `name`; returns the old bytes, the new bytes and the plan.
    func edit(_ name: String, output: Bool = false, _ change: (SaveImage) throws -> ImageContent)
        throws -> (old: [UInt8], new: [UInt8], plan: WritePlan, image: SaveImage) {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(name, into: directory)
        let out = output ? directory.path + "/out.sav" : nil
        let result = try ImageEditor(path: path, output: out).run { (image) throws(SaveImageError) in
            do { return try change(image) } catch let error as SaveImageError { throw error } catch {
                throw SaveImageError(.editRejected, path: path, field: "test edit", expected: "a SaveImageError", found: "\(error)")
            }
        }
        let newPath = out ?? path
        let image = try SaveImage(contentsOf: newPath)
        return (try Fixtures.bytes(name), try EditFixtures.read(newPath), result.plan, image)
    }

    /// In place: every differing byte is in a header word the plan changes, a
    /// document write or a cleanup write.
    func expectOnlyPlannedBytesChanged(_ old: [UInt8], _ new: [UInt8], _ plan: WritePlan) {
        #expect(old.count == new.count)
        let base = SaveImageHeader.size
        var allowed = Set<Int>()
        for write in plan.documentWrites + plan.cleanupWrites {
            allowed.formUnion((base + write.offset)..<(base + write.offset + write.bytes.count))
        }
        for field in [HeaderField.cookieOffset, .wasRunning] { allowed.formUnion(field.offset..<field.offset + 4) }
        let unexpected = EditFixtures.differingOffsets(old, new).filter { !allowed.contains($0) }
        #expect(unexpected.isEmpty, "bytes changed outside the planned writes: \(unexpected.prefix(10))")
        #expect(old[Int(plan.original.streamOffset)...] == new[Int(plan.result.streamOffset)...])
    }

    @Test("add-cpu-ext in place", arguments: Fixtures.libvirt90Images)
    func addCPUExtension(_ name: String) throws {
        let original = try SaveImage(contentsOf: Fixtures.path(name))
        let cpu = try EditFixtures.updatedCPU(for: original)
        let (old, new, plan, image) = try edit(name) { try $0.settingCookieCPU(cpu) }
        #expect(plan.strategy == .inPlace)
        expectOnlyPlannedBytesChanged(old, new, plan)
        #expect(image.region.domainXML == original.region.domainXML)
        #expect(image.cookie?.cpu?.element.withoutBlankText() == cpu.withoutBlankText())
        #expect(image.cookie?.otherElementNames == original.cookie?.otherElementNames)
        #expect(image.header.wasRunning == original.header.wasRunning)
        #expect(image.header.dataLength == original.header.dataLength)
        #expect(image.findings.filter { $0.severity >= .warning }.isEmpty)
    }

    @Test("ext add then remove in place; a second add-cpu-ext moves the chain back", arguments: Fixtures.libvirt90Images)
    func extensionsInPlace(_ name: String) throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(name, into: directory)
        let original = try SaveImage(contentsOf: path)
        let document = Array("<saveimg-test>kept</saveimg-test>".utf8)
        let added = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.addingExtension(document) }
        #expect(added.plan.strategy == .inPlace)
        let afterAdd = try SaveImage(contentsOf: path)
        #expect(afterAdd.extensions.map(\.bytes) == original.extensions.map(\.bytes) + [document])
        #expect(afterAdd.region.domainXML == original.region.domainXML)
        // Another edit keeps the extension.
        let cpu = try EditFixtures.updatedCPU(for: original)
        _ = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.settingCookieCPU(cpu) }
        let afterCPU = try SaveImage(contentsOf: path)
        #expect(afterCPU.extensions.map(\.bytes).last == document)
        let removed = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.removingExtension(at: image.extensions.count) }
        #expect(removed.plan.strategy == .inPlace)
        let final = try SaveImage(contentsOf: path)
        #expect(final.extensions.map(\.bytes) == original.extensions.map(\.bytes))
        #expect(final.cookie?.cpu?.element.withoutBlankText() == cpu.withoutBlankText())
        let bytes = try EditFixtures.read(path)
        let old = try Fixtures.bytes(name)
        #expect(bytes[Int(original.streamOffset)...] == old[Int(original.streamOffset)...])
        #expect(bytes[0..<16] == old[0..<16])
    }

    @Test("set-state flips only the was_running word", arguments: Fixtures.libvirt90Images)
    func setState(_ name: String) throws {
        let original = try SaveImage(contentsOf: Fixtures.path(name))
        let (old, new, plan, image) = try edit(name) { $0.settingWasRunning(!$0.header.resumesGuest) }
        #expect(plan.strategy == .inPlace)
        let changed = EditFixtures.differingOffsets(old, new)
        #expect(!changed.isEmpty && changed.allSatisfy { (24..<28).contains($0) })
        #expect(image.header.resumesGuest == !original.header.resumesGuest)
    }

    @Test("define with the same data_len (in place, journaled) and past 64 KiB (grow)", arguments: Fixtures.libvirt90Images)
    func define(_ name: String) throws {
        let original = try SaveImage(contentsOf: Fixtures.path(name))
        for size in [100, 70_000] {
            let xml = original.region.domainXML.text.replacingOccurrences(
                of: "</name>", with: "</name>\n  <description>\(String(repeating: "d", count: size))</description>")
            let (old, new, plan, image) = try edit(name) { try $0.replacingDomainXML(Array(xml.utf8)) }
            #expect(plan.strategy == (size < 1000 ? .inPlaceJournaled : .grow))
            #expect(image.region.domainXML.bytes == Array(xml.utf8))
            #expect(image.region.chain.map(\.bytes) == original.region.chain.map(\.bytes))
            #expect(image.header.wasRunning == original.header.wasRunning)
            #expect(image.header.format == original.header.format)
            if size >= 1000 {
                #expect(image.header.dataLength == UInt32(image.region.usedLength) + SaveImageHeader.standardPadding)
            } else {
                #expect(image.header.dataLength == original.header.dataLength)
            }
            #expect(image.region.nonZeroPaddingBytes == 0)
            #expect(old[Int(original.streamOffset)...] == new[Int(image.streamOffset)...])
            #expect(old[0..<20] == new[0..<20])
        }
    }

    @Test("--output leaves the original alone and writes the edit to the new file")
    func output() throws {
        let name = "qemu64-gzip.sav"
        let original = try SaveImage(contentsOf: Fixtures.path(name))
        let cpu = try EditFixtures.updatedCPU(for: original)
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(name, into: directory)
        let out = directory.path + "/out.sav"
        let result = try ImageEditor(path: path, output: out).run { (image) throws(SaveImageError) in try image.settingCookieCPU(cpu) }
        #expect(result.plan.strategy == .rewrite)
        #expect(try EditFixtures.read(path) == Fixtures.bytes(name))
        let image = try SaveImage(contentsOf: out)
        #expect(image.cookie?.cpu?.element.withoutBlankText() == cpu.withoutBlankText())
        #expect(image.streamSignature == original.streamSignature)
        // --dry-run writes nothing.
        let dry = try ImageEditor(path: path, dryRun: true).run { (image) throws(SaveImageError) in try image.settingCookieCPU(cpu) }
        #expect(dry.outcome == nil && dry.plan.strategy == .inPlace)
        #expect(try EditFixtures.read(path) == Fixtures.bytes(name))
    }
}
