// SPDX-License-Identifier: MIT
// Moves ETH on internally, as mixers, bridges and OTC desks' contracts do: the value reaches its recipients
// only through internal calls (traces), never as top-level transactions.
pragma solidity 0.8.26;

contract ScenarioForwarder {
    function split(address payable a, address payable b) external payable {
        uint256 half = msg.value / 2;
        (bool okA, ) = a.call{value: half}("");
        require(okA, "a");
        (bool okB, ) = b.call{value: msg.value - half}("");
        require(okB, "b");
    }

    // The inner call reverts (caught): its value never moves, although the transaction succeeds.
    function tryRefuse(address payable to) external payable {
        try this.refuse{value: msg.value}(to) {} catch {}
        (bool ok, ) = payable(msg.sender).call{value: address(this).balance}("");
        require(ok, "refund");
    }

    function refuse(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "to");
        revert("refused");
    }
}
