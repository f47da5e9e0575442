import Foundation
@testable import SaveImage

/// The real images with graphics passwords in testdata/secrets (libvirt 9.0
/// VNC + SPICE, libvirt 11.3 VNC) and what their virsh printed for them.
enum SecretFixtures {
    static let images = ["vnc-spice-9.0", "vnc-11.3"]
    /// The passwords the lab domains were defined with.
    static let passwords = ["vnc-pw42", "spice-s3cret-pw"]

    static func path(_ name: String) -> String { Fixtures.testdata + "/secrets/" + name + ".sav" }

    static func reference(_ name: String, _ suffix: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.testdata + "/secrets/" + name + "." + suffix)))
    }

    /// A copy of image `name` in `directory`.
    static func copy(_ name: String, into directory: TemporaryDirectory) throws -> String {
        try directory.write(name + ".sav", [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))))
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        String(decoding: bytes, as: UTF8.self).contains(text)
    }
}
