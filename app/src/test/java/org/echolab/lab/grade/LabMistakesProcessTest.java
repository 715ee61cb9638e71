package org.echolab.lab.grade;

/** The mistake catalogue's processes per client (lab/ProcessPerClient.java), graded on the processes item. */
class LabMistakesProcessTest extends LabMistakes {

    LabMistakesProcessTest() {
        super("ProcessPerClient.java");
    }
}
