import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies infra/kafka/acls.txt with kafka-acls (kafka.admin.AclCommand), one --add per line,
 * all in this one JVM: a JVM per line took a second or more each. Run as a source file:
 * java -cp '<broker jars>/*' AclBatch.java <bootstrap server> <admin client properties> <table>
 * AclCommand exits the JVM non-zero on the first line it cannot apply.
 */
public class AclBatch {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: AclBatch <bootstrap server> <command config> <acl table>");
      System.exit(2);
    }
    int applied = 0;
    for (String line : Files.readAllLines(Path.of(args[2]))) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
      String[] fields = trimmed.split("\\s+");
      if (fields.length < 5) throw new IllegalArgumentException("too few fields: " + line);
      List<String> argv = new ArrayList<>(List.of(
          "--bootstrap-server", args[0], "--command-config", args[1], "--add",
          "--allow-principal", "User:" + fields[0], "--resource-pattern-type", fields[3]));
      for (String operation : fields[1].split(",")) {
        argv.add("--operation");
        argv.add(operation);
      }
      for (int i = 4; i < fields.length; i++) {
        argv.add("--" + fields[2]);
        argv.add(fields[i]);
      }
      kafka.admin.AclCommand.main(argv.toArray(new String[0]));
      applied++;
    }
    System.out.println("applied " + applied + " ACL lines from " + args[2]);
  }
}
