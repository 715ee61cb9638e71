package org.echolab.lab.grade;

/** The mistake catalogue's shared states (lab/StudentState.java), graded on the races item. */
class LabMistakesStateTest extends LabMistakes {

    LabMistakesStateTest() {
        super("StudentState.java");
    }
}
