// swift-tools-version:6.0
//
// An example of using the SaveImage library from another package: prints
// the CPUs of save images and, with --add-note, chains an extension document
// after the cookie and writes the result to a new file.
//
//   swift run --scratch-path .build inspect-cpus ../../testdata/libvirt-9.0/westmere-raw.sav
import PackageDescription

let package = Package(
    name: "inspect-cpus",
    dependencies: [
        .package(name: "saveimg", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "inspect-cpus",
            dependencies: [.product(name: "SaveImage", package: "saveimg")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
