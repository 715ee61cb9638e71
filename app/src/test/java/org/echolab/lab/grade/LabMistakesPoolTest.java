package org.echolab.lab.grade;

/** The mistake catalogue's thread pools (lab/ThreadPool.java), graded on the threads item. */
class LabMistakesPoolTest extends LabMistakes {

    LabMistakesPoolTest() {
        super("ThreadPool.java");
    }
}
