import Foundation
import Testing
@testable import SaveImage

/// The libvirt 11.3 images in testdata/libvirt-11.3. Sparse ones are kept as
/// `.tar.zst` (git keeps no holes) and unpacked with their holes per test.
enum SparseFixtures {
    static let directory = Fixtures.testdata + "/libvirt-11.3"

    /// Absolute path of a non-sparse 11.3 fixture.
    static func path(_ name: String) -> String { directory + "/" + name }

    /// The sparse images libvirt 11.3 wrote: (archive, file names).
    static let archives: [(archive: String, images: [String])] = [
        ("sparse-images.tar.zst", ["qemu64-sparse.sav", "westmere-sparse.sav"]),
        ("lab-sparse-images.tar.zst", ["sp-q64-sparse-par2.sav", "sp-q64-managedsave-sparse.sav", "sp-q64m72-sparse.sav"]),
        // QEMU 11.1 with mapped-ram + x-ignore-shared (scripts/lab/ignore-shared-check.sh; testdata/libvirt-12.8/MANIFEST.md).
        ("../libvirt-12.8/ignore-shared-images.tar.zst", ["qemu111-ignore-shared-sparse.sav"]),
    ]
    /// The sparse images libvirt wrote (not the QEMU-only x-ignore-shared one, which no libvirt writes or restores).
    static var allSparseImages: [String] { archives.filter { !$0.archive.contains("ignore-shared") }.flatMap(\.images) }

    /// Unpacks the archive holding `image` into `into` (with holes) and returns the image's path.
    static func unpack(_ image: String, into directory: TemporaryDirectory) throws -> String {
        guard let archive = archives.first(where: { $0.images.contains(image) })?.archive else {
            throw SaveImageError(.io, path: image, field: "fixture", expected: "a known sparse fixture", found: image)
        }
        let target = directory.path + "/" + image
        if !FileManager.default.fileExists(atPath: target) {
            let result = try TestProcess.run(["/usr/bin/tar", "-xS", "--zstd", "-f", path(archive), "-C", directory.path, image])
            #expect(result.status == 0, "tar: \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return target
    }

    /// Copies `source` keeping its holes (`cp --sparse=always`).
    static func sparseCopy(_ source: String, to target: String) throws {
        let result = try TestProcess.run(["/bin/cp", "--sparse=always", source, target])
        #expect(result.status == 0)
    }

    /// Overwrites bytes at `offset` of the file in place (keeps the holes elsewhere).
    static func patch(_ path: String, at offset: UInt64, _ bytes: [UInt8]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    static func bigEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - $0))) }
    }

    /// SHA-256 of a file (sha256sum).
    static func sha256(_ path: String) throws -> String {
        let result = try TestProcess.run(["/usr/bin/sha256sum", path])
        return String(String(decoding: result.stdout, as: UTF8.self).prefix(64))
    }

    /// The layout of the sparse image at `path`.
    static func layout(_ path: String) throws -> MappedRAMLayout {
        let file = try PositionalFile(openingForReading: path)
        let image = try SaveImage(reading: file)
        return try MappedRAMLayout.read(file, streamOffset: image.streamOffset)
    }
}
