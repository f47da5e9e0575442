import Foundation
import Testing
@testable import SaveImage

/// The recursive walk under `saveimg scan`, and the sniffing that decides
/// which files are save images.
@Suite struct DirectoryWalkerTests {
    @Test func walksDepthFirstInNameOrderWithoutFollowingDirectoryLinks() throws {
        let fleet = try ScanFleet()
        let files = DirectoryWalker(roots: [fleet.root]).compactMap { entry -> String? in
            if case .file(let path, _) = entry { path } else { nil }
        }
        let expected = (fleet.expectedImages + ["\(fleet.root)/too-short.sav", "\(fleet.root)/notes.txt"])
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(files == expected)
        #expect(!files.contains { $0.contains("/loop/") })
    }

    @Test func reportsSizesAndUnreadableRoots() throws {
        let fleet = try ScanFleet()
        let entries = Array(DirectoryWalker(roots: [fleet.root + "/westmere-raw.sav", fleet.root + "/missing"]))
        #expect(entries.first == .file(path: fleet.root + "/westmere-raw.sav", size: 590_756))
        guard case .unreadable(let path, let reason) = entries.last else {
            Issue.record("expected an unreadable entry, got \(entries)")
            return
        }
        #expect(path == fleet.root + "/missing")
        #expect(reason == "No such file or directory")
    }

    @Test func walksAnOverlappingRootOnce() throws {
        let fleet = try ScanFleet()
        let once = Array(DirectoryWalker(roots: [fleet.root]))
        let twice = Array(DirectoryWalker(roots: [fleet.root, fleet.root + "/"]))
        #expect(once == twice)
    }

    @Test func probeSortsFilesIntoImagesInvalidAndOthers() throws {
        let fleet = try ScanFleet()
        guard case .image(let image) = SaveImage.probe(path: fleet.root + "/nested/link.sav") else {
            Issue.record("link.sav should read as an image")
            return
        }
        #expect(image.domain.name == "oracle-westmere")
        guard case .invalid(let unfinished) = SaveImage.probe(path: fleet.root + "/nested/unfinished.sav") else {
            Issue.record("unfinished.sav should be invalid")
            return
        }
        #expect(unfinished.code == .incompleteSave)
        guard case .invalid(let truncated) = SaveImage.probe(path: fleet.root + "/nested/truncated.sav") else {
            Issue.record("truncated.sav should be invalid")
            return
        }
        #expect(truncated.code == .domainXMLPastEndOfFile)
        for other in ["too-short.sav", "notes.txt"] {
            guard case .notSaveImage = SaveImage.probe(path: "\(fleet.root)/\(other)") else {
                Issue.record("\(other) should not be a save image")
                continue
            }
        }
        guard case .unreadable(let missing) = SaveImage.probe(path: fleet.root + "/missing") else {
            Issue.record("a missing file should be unreadable")
            return
        }
        #expect(missing.code == .io)
    }
}
