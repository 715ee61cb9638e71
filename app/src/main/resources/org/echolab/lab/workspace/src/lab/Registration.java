package lab;

import java.util.List;
import org.echolab.lab.LabModel;
import org.echolab.models.Models;
import org.echolab.state.RaceWindow;
import org.echolab.state.States;

/**
 * Tells EchoLab about your models and your state, so that {@code --model student-process},
 * {@code --model student-pool} and {@code --state student} work in every command. EchoLab finds
 * this class through the files in {@code src/META-INF/services/} (Java's ServiceLoader). There is
 * nothing to change here.
 */
public final class Registration implements Models.Plugin, States.Plugin {

    @Override
    public List<Models.Entry> models() {
        return List.of(
                LabModel.processes("student-process", "your process per client (lab/ProcessPerClient.java)",
                        ProcessPerClient::new),
                LabModel.threads("student-pool", "your thread pool (lab/ThreadPool.java)", ThreadPool::new));
    }

    @Override
    public List<States.Variant> states() {
        return List.of(new States.Variant("student", false, false, "your shared state (lab/StudentState.java)",
                window -> new StudentState(new RaceWindow(window))));
    }
}
