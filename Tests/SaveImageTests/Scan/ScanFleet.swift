import Foundation
@testable import SaveImage

/// A directory tree like an operator's save directory: every libvirt 9.0
/// fixture, a nested copy, two broken images, files that are not save images,
/// a link to an image and a directory link that loops.
struct ScanFleet {
    let directory: TemporaryDirectory
    var root: String { directory.path }

    /// Paths of the save images the scan must list, in the order it lists them.
    var expectedImages: [String] {
        (Fixtures.libvirt90Images.map { "\(root)/\($0)" } + [
            "\(root)/nested/deeper/westmere-copy.sav", "\(root)/nested/link.sav",
            "\(root)/nested/truncated.sav", "\(root)/nested/unfinished.sav",
        ]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    init() throws {
        directory = try TemporaryDirectory()
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/nested/deeper", withIntermediateDirectories: true)
        for name in Fixtures.libvirt90Images {
            try manager.copyItem(atPath: Fixtures.path(name), toPath: "\(root)/\(name)")
        }
        let westmere = try Fixtures.bytes("westmere-raw.sav")
        _ = try directory.write("nested/deeper/westmere-copy.sav", westmere)
        _ = try directory.write("nested/truncated.sav", Array(westmere.prefix(500)))
        _ = try directory.write("nested/unfinished.sav", Array("LibvirtQemudPart".utf8) + westmere.dropFirst(16))
        _ = try directory.write("too-short.sav", Array("LibvirtQemud".utf8))
        _ = try directory.write("notes.txt", Array("not a save image, but longer than sixteen bytes\n".utf8))
        try manager.createSymbolicLink(atPath: root + "/nested/link.sav", withDestinationPath: "../westmere-raw.sav")
        try manager.createSymbolicLink(atPath: root + "/nested/loop", withDestinationPath: "..")
    }
}
