/// The commands whose failure the one error exit (``ErrorExit``) prints as
/// a JSON line under `--json`, and the file that line is about.
extension SaveImg.AddCPUExt: JSONReporting {
    var json: Bool { options.json }
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Define: JSONReporting {
    var json: Bool { options.json }
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.SetState: JSONReporting {
    var json: Bool { options.json }
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Ext.Add: JSONReporting {
    var json: Bool { options.json }
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Ext.Remove: JSONReporting {
    var json: Bool { options.json }
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Ext.List: JSONReporting {
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Ext.Show: JSONReporting {
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Convert: JSONReporting {
    var reportedFile: String { (try? source.path(input)) ?? input ?? "" }
}

extension SaveImg.Seal: JSONReporting {
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Edit: JSONReporting {
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}

extension SaveImg.Recover: JSONReporting {
    var reportedFile: String { (try? source.path(file)) ?? file ?? "" }
}
